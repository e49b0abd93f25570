/**
 * How mathjs holds a quantity as a plain number, for formulas compiled to number arithmetic
 * (`number-function.ts`). A mathjs Unit keeps its value normalized to the base units of its
 * dimensions (bits for bytes, seconds, USD, …): `1 GB` holds 8e9. Arithmetic on Units is
 * arithmetic on these normalized ("SI") values, so a formula that only adds, multiplies and
 * compares quantities is the same formula over SI numbers. This module says which mathjs values
 * have such a number (plain numbers, booleans as 1 or 0, Units of multiplicative units; not
 * `degC`, whose offset makes `x degC` non-linear in x) and converts canonical numbers to SI
 * numbers and back with the same chain of factors, in the same order, as mathjs's
 * `_normalize` and `_denormalize`, so the results agree bit for bit.
 */
import type { Unit } from 'mathjs';
import { fromCanonical, isUnit, type UnitSystem } from './units.ts';

/**
 * What a mathjs value is, as far as number code cares: a `scalar` (a number or a boolean: both
 * are plain numbers to arithmetic) or a `unit` (a Unit of multiplicative units, whose SI value is
 * its normalized value). Anything else (Complex, strings, matrices, offset units) has no kind.
 */
export type ValueKind = 'scalar' | 'unit';

/** One factor of a unit's chain: (unit value × prefix value) ^ power, as mathjs computes it. */
interface UnitPart {
  unit: { value: number; offset: number };
  prefix: { value: number };
  power: number;
}

function parts(u: Unit): UnitPart[] {
  return (u as unknown as { units: UnitPart[] }).units;
}

/** The kind of a mathjs value, or undefined when number code cannot represent it exactly. */
export function kindOf(value: unknown): ValueKind | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return 'scalar';
  if (!isUnit(value)) return undefined;
  const v = (value as unknown as { value: unknown }).value;
  if (v !== null && typeof v !== 'number') return undefined;
  return parts(value).every((p) => p.unit.offset === 0) ? 'unit' : undefined;
}

/**
 * The factors a canonical number is multiplied by, one after the other, to become the SI value
 * mathjs holds for it (`fromCanonical`), and divided by, in turn, to come back (`toNumber`).
 */
export function unitFactors(u: Unit): number[] {
  return parts(u).map((p) => Math.pow(p.unit.value * p.prefix.value, p.power));
}

/**
 * The SI value of a mathjs value of some kind: the number, 1 or 0 for a boolean, a Unit's
 * normalized value (for a valueless Unit such as `GB`, the value of one: what mathjs multiplies
 * by). Undefined when the value has no kind.
 */
export function siOf(value: unknown): number | undefined {
  const kind = kindOf(value);
  if (kind === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const v = (value as unknown as { value: number | null }).value;
  if (v !== null) return v;
  let one = 1;
  for (const f of unitFactors(value as Unit)) one *= f;
  return one;
}

/** Converts numbers of one canonical unit to SI values and back, as mathjs does. */
export interface Scale {
  /** The mathjs value of 1 in the canonical unit (a number for ratios), for its kind and base. */
  one: unknown;
  /** Canonical number → SI value. */
  toSi(v: number): number;
  /** SI value → canonical number. */
  fromSi(v: number): number;
}

const IDENTITY = (v: number): number => v;

/**
 * The scale of canonical unit `unit` (`B`, `1/s`, `USD/month`, … or `` for ratios), or
 * undefined when mathjs's value for it is not a multiplicative Unit.
 */
export function canonicalScale(units: UnitSystem, unit: string): Scale | undefined {
  const one = fromCanonical(units, 1, unit);
  if (typeof one === 'number') return { one, toSi: IDENTITY, fromSi: IDENTITY };
  if (kindOf(one) !== 'unit') return undefined;
  const factors = unitFactors(one as Unit);
  if (factors.length === 1) {
    const [f] = factors as [number];
    return { one, toSi: (v) => v * f, fromSi: (v) => v / f };
  }
  return {
    one,
    toSi(v) {
      for (let i = 0; i < factors.length; i++) v *= factors[i]!;
      return v;
    },
    fromSi(v) {
      for (let i = 0; i < factors.length; i++) v /= factors[i]!;
      return v;
    },
  };
}
