/**
 * Compiles `components.<c>.measured`: capacities a load test measured (`loadtest --write`
 * records them), each for a resource the component has a capacity for, in that resource's unit.
 */
import type { MeasuredCapacity } from '../loadtest/types.ts';
import { capacityResources } from './compile-loadtest-targets.ts';
import type { CompileContext } from './context.ts';
import { describeUnit } from './context.ts';
import type { RawMeasured } from './schema.ts';
import type { FieldPath } from './source-map.ts';
import { toQuantity } from './units.ts';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Every component's measurements, in plan order. */
export function compileMeasured(ctx: CompileContext): MeasuredCapacity[] {
  const out: MeasuredCapacity[] = [];
  for (const [component, c] of Object.entries(ctx.raw.components ?? {})) {
    for (const [resource, m] of Object.entries(c.measured ?? {})) {
      const path = ['components', component, 'measured', resource];
      const resources = capacityResources(c);
      if (!resources.includes(resource)) {
        if (resources.length === 0) {
          ctx.fail(
            'PLAN_REFERENCE',
            path,
            `component "${component}" declares no capacity for a measurement to stand beside`,
            `add capacity.${resource} or per_replica.${resource}`,
            true,
          );
        } else ctx.unknown(path, `resource of ${component}`, resource, resources, true);
        continue;
      }
      const compiled = compileOne(ctx, component, resource, m, path);
      if (compiled) out.push(compiled);
    }
  }
  return out;
}

function compileOne(
  ctx: CompileContext,
  component: string,
  resource: string,
  m: RawMeasured,
  path: FieldPath,
): MeasuredCapacity | undefined {
  const field =
    ctx.raw.components?.[component]?.capacity?.[resource] !== undefined
      ? 'capacity'
      : 'per_replica';
  const unit = resourceUnit(ctx, `components.${component}.${field}.${resource}`);
  const value = inUnit(ctx, m.value, [...path, 'value'], unit, resource);
  const formula =
    m.formula === undefined
      ? undefined
      : inUnit(ctx, m.formula, [...path, 'formula'], unit, resource);
  if (!ISO_8601.test(m.at) || Number.isNaN(Date.parse(m.at))) {
    ctx.fail(
      'PLAN_SCHEMA',
      [...path, 'at'],
      `"${m.at}" is not a time in ISO 8601`,
      'write it as "2026-12-07T10:00:00Z" (quoted)',
    );
    return undefined;
  }
  if (value === undefined || (m.formula !== undefined && formula === undefined)) return undefined;
  if (!(value > 0)) {
    ctx.fail(
      'PLAN_SCHEMA',
      [...path, 'value'],
      `a measured capacity of ${m.value}`,
      'a capacity is above 0',
    );
    return undefined;
  }
  return {
    component,
    resource,
    value,
    perReplica: (m.per ?? (field === 'per_replica' ? 'replica' : 'total')) === 'replica',
    replicas: m.replicas,
    held: m.held ?? [],
    at: m.at,
    scenario: m.scenario,
    method: m.method,
    formula,
  };
}

/** The canonical unit of a capacity node (undefined when the plan's graph cannot say). */
function resourceUnit(ctx: CompileContext, key: string): string | undefined {
  if (!ctx.graphComplete) return undefined;
  try {
    return toQuantity(ctx.units, ctx.graph.evaluate(key, ctx.graph.probeInputs())).unit;
  } catch {
    // The formula is reported by the component checks.
    return undefined;
  }
}

/** A constant in the resource's unit (checked like a tier `set` value). */
function inUnit(
  ctx: CompileContext,
  text: string | number,
  path: FieldPath,
  unit: string | undefined,
  resource: string,
): number | undefined {
  const q = ctx.constant(text, path);
  if (!q) return undefined;
  if (unit !== undefined && q.unit !== unit) {
    ctx.fail(
      'PLAN_UNIT',
      path,
      `"${text}" does not fit ${resource}, which is ${describeUnit(unit)}`,
      `write the measurement in the unit of its capacity${unit === '1/s' ? ', e.g. 41 req/s' : ''}`,
    );
    return undefined;
  }
  return q.value;
}
