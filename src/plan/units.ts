/**
 * Units for the plan language, on top of mathjs: count nouns (`msg`, `user`, `vCPU`) as
 * dimensionless units, money (`USD`), Prometheus-style durations (`10m`, `1h30m`), and the
 * canonical base unit each dimension is stored in (bytes, seconds, USD, USD/month, 1/s, ratio).
 */
import { createRequire } from 'node:module';
import type { MathJsInstance, Unit } from 'mathjs';

/**
 * mathjs from its one-file bundle: the same library and version as its ESM entry, which imports
 * about a thousand modules and costs ~0.9 s at every CLI start against ~0.1 s for the bundle.
 */
const { all, create } = createRequire(import.meta.url)(
  'mathjs/lib/browser/math.js',
) as typeof import('mathjs');

/** Count nouns known to every plan; a plan adds its own with `units:`. Plural `s` is accepted. */
export const COUNT_UNITS = [
  'msg',
  'message',
  'req',
  'request',
  'job',
  'task',
  'user',
  'company',
  'tenant',
  'conn',
  'connection',
  'file',
  'instance',
  'replica',
  'worker',
  'container',
  'pod',
  'node',
  'call',
  'op',
  'operation',
  'email',
  'sms',
  'webhook',
  'char',
  'token',
  'vCPU',
  'cpu',
  'core',
  'ticket',
  'event',
  'session',
  'query',
  'item',
  'application',
  'lesson',
  'student',
  'chat',
  'document',
  'record',
  'row',
  'credit',
  'seat',
] as const;

/** A value with its dimension, stored as a number in the dimension's canonical unit. */
export interface Quantity {
  /** The number, in `unit`. */
  value: number;
  /** Canonical unit of the dimension (`B`, `s`, `USD`, `USD/month`, `1/s`, `` for ratios). */
  unit: string;
  /** Human name of the dimension (`bytes`, `duration`, `money`, `ratio`, …). */
  dimension: string;
}

interface Dimension {
  name: string;
  unit: string;
  probe: string;
  /** Unit string mathjs converts to, when the display unit is not one (`1/s`). */
  convert?: string;
}

// The order matters only for readability of messages; each probe has a distinct base.
const DIMENSIONS: Dimension[] = [
  { name: 'bytes', unit: 'B', probe: '1 B' },
  { name: 'duration', unit: 's', probe: '1 s' },
  { name: 'rate', unit: '1/s', probe: '1 Hz', convert: 'Hz' },
  { name: 'bytes per second', unit: 'B/s', probe: '1 B/s' },
  { name: 'money', unit: 'USD', probe: '1 USD' },
  { name: 'money per month', unit: 'USD/month', probe: '1 USD/month' },
  { name: 'bytes per month', unit: 'B/month', probe: '1 B/month' },
];

/** A mathjs instance with headroom's units, plus the plan's own count nouns. */
export interface UnitSystem {
  /** The mathjs instance expressions are parsed and evaluated with. */
  math: MathJsInstance;
  /** True when `name` is a unit (so a bare symbol with that name is not a reference). */
  isUnit(name: string): boolean;
}

/** Builds a unit system; `extraUnits` are the plan's `units:` count nouns. */
export function createUnitSystem(extraUnits: readonly string[] = []): UnitSystem {
  const math = create(all as NonNullable<typeof all>, { number: 'number' }) as MathJsInstance;
  const defineCount = (noun: string): void => {
    for (const name of [noun, `${noun}s`]) {
      if (!math.Unit.isValuelessUnit(name)) math.createUnit(name, { definition: '1' });
    }
  };
  for (const noun of COUNT_UNITS) defineCount(noun);
  for (const noun of extraUnits) defineCount(noun);
  math.createUnit('USD', { aliases: ['usd', 'dollar', 'dollars'] });
  // People write KB for kilobytes; mathjs only knows kB.
  if (!math.Unit.isValuelessUnit('KB')) math.createUnit('KB', { definition: '1 kB' });
  return { math, isUnit: (name) => math.Unit.isValuelessUnit(name) };
}

let shared: UnitSystem | undefined;

/**
 * The default unit system (no plan-specific nouns), made at its first use and shared: creating
 * one costs 50-100 ms, which a command that loads a plan (and makes its own) should not pay.
 */
export function defaultUnits(): UnitSystem {
  shared ??= createUnitSystem();
  return shared;
}

/** True when `v` is a mathjs Unit. */
export function isUnit(v: unknown): v is Unit {
  return typeof v === 'object' && v !== null && (v as { type?: string }).type === 'Unit';
}

/** Converts a mathjs result (number, Unit, boolean) into a canonical Quantity. */
export function toQuantity(system: UnitSystem, v: unknown): Quantity {
  if (typeof v === 'number') return { value: clean(v), unit: '', dimension: 'ratio' };
  if (typeof v === 'boolean') return { value: v ? 1 : 0, unit: '', dimension: 'ratio' };
  if (!isUnit(v)) throw new Error(`expected a number or a quantity, got ${String(v)}`);
  if (v.dimensions.every((d) => d === 0)) {
    // A dimensionless Unit (`(50 * 1000) msgs`) keeps its SI value in `.value`.
    return {
      value: clean((v as unknown as { value: number | null }).value ?? 1),
      unit: '',
      dimension: 'ratio',
    };
  }
  for (const [dim, probe] of probeUnits(system)) {
    if (v.equalBase(probe)) {
      return {
        value: clean(v.toNumber(dim.convert ?? dim.unit)),
        unit: dim.unit,
        dimension: dim.name,
      };
    }
  }
  const si = v.toSI();
  const unit = si.formatUnits();
  return { value: clean(si.toNumber(unit)), unit, dimension: unit };
}

/** Drops binary floating-point noise from unit conversion (1500.0000000000002 → 1500). */
export function clean(v: number): number {
  return Number.isFinite(v) && v !== 0 ? Number(v.toPrecision(12)) : v;
}

const PROBES = new WeakMap<UnitSystem, [Dimension, Unit][]>();

/** Each dimension with its probe unit, parsed once per unit system (parsing costs ~4 µs). */
function probeUnits(system: UnitSystem): [Dimension, Unit][] {
  let probes = PROBES.get(system);
  if (!probes) {
    probes = DIMENSIONS.map((d) => [d, system.math.unit(d.probe)]);
    PROBES.set(system, probes);
  }
  return probes;
}

/** Wraps a canonical number back into a mathjs value of the given canonical unit. */
export function fromCanonical(system: UnitSystem, value: number, unit: string): unknown {
  if (unit === '') return value;
  const dim = DIMENSIONS.find((d) => d.unit === unit);
  return system.math.unit(value, dim?.convert ?? unit);
}

const DURATION_PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w|y)/gy;
const DURATION_WORDS: Record<string, number> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
  // A month is a twelfth of a Julian year, as mathjs defines it; a quarter is three of those.
  month: 2_629_800_000,
  months: 2_629_800_000,
  quarter: 7_889_400_000,
  quarters: 7_889_400_000,
  y: 31_536_000_000,
  year: 31_536_000_000,
  years: 31_536_000_000,
};

/**
 * Parses a duration into milliseconds: Prometheus style (`15s`, `10m`, `1h30m`, `7d`, `2w`),
 * or a number and a word (`10 min`, `2 hours`, `1 month`, `1 quarter`); a bare number is seconds. Returns undefined
 * when the text is not a duration.
 */
export function parseDurationMs(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  const s = text.trim();
  const worded = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(s);
  if (worded && DURATION_WORDS[worded[2]!.toLowerCase()] !== undefined) {
    return Number(worded[1]) * DURATION_WORDS[worded[2]!.toLowerCase()]!;
  }
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = DURATION_PART.exec(s); m; m = DURATION_PART.exec(s)) {
    total += Number(m[1]) * DURATION_WORDS[m[2]!]!;
    consumed = DURATION_PART.lastIndex;
  }
  return consumed === s.length && consumed > 0 ? total : undefined;
}

/** Formats milliseconds the Prometheus way (`1h30m`, `15s`, `500ms`, `0s`). */
export function formatDurationMs(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 1000 !== 0) return `${ms}ms`;
  const parts: string[] = [];
  let rest = ms / 1000;
  for (const [unit, size] of [
    ['w', 604800],
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}

/**
 * Rewrites what mathjs would misread: `10 min`/`10 minutes` (min is a function there),
 * `50K`/`2M` shorthands (K is kelvin), and `1.5k`.
 */
export function normalizeExpression(text: string): string {
  return text
    .replace(/(\d)\s*(?:mins?|minutes?)\b/g, '$1 minute')
    .replace(/(\d)\s*(?:hrs?|hours?)\b/g, '$1 hour')
    .replace(/(?<![\w.])(\d+(?:\.\d+)?)[kK]\b/g, '($1 * 1000)')
    .replace(/(?<![\w.])(\d+(?:\.\d+)?)M\b/g, '($1 * 1000000)');
}
