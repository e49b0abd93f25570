/**
 * The amounts of a load-test scenario (VUs and rates: a number, a quantity such as
 * `100 req/s`, or a plan formula kept for the run to evaluate) and the bounds a scenario
 * declares for its run: its longest duration and its highest load.
 */
import type { Amount, PlanLoadTest } from '../loadtest/types.ts';
import { describeUnit, type CompileContext } from './context.ts';
import type { FieldPath } from './source-map.ts';
import { toQuantity } from './units.ts';

/** A scenario's executor: k6's four that headroom runs, and `breakpoint`. */
export type ScenarioExecutor = PlanLoadTest['executor'];

type Settings = PlanLoadTest['settings'];

/**
 * A number of VUs (`count`, a plain number) or a rate per `timeUnitMs` (a plain number, or a
 * rate such as `100 req/s`): a constant becomes a number, a formula stays `{ expr }`.
 */
export function amount(
  ctx: CompileContext,
  written: string | number,
  path: FieldPath,
  kind: 'count' | 'rate',
  timeUnitMs: number,
): Amount | undefined {
  const expr = ctx.expr(written, path);
  if (!expr) return undefined;
  const constant = expr.symbols.length + expr.paths.length + expr.windows.length === 0;
  const fixed = constant ? constantValue(ctx, expr.evaluate, path) : undefined;
  const unit = constant ? fixed?.unit : ctx.probeUnit(expr, path);
  // Undefined: the error is recorded (or the graph is broken elsewhere, and reported there).
  if (unit === undefined) return undefined;
  const fits = unit === '' || (kind === 'rate' && unit === '1/s');
  if (!fits) {
    ctx.fail(
      'PLAN_UNIT',
      path,
      `"${written}" is ${describeUnit(unit)}, but ${kind === 'rate' ? 'a rate (a number per timeUnit, or e.g. 100 req/s)' : 'a number of VUs'} belongs here`,
      kind === 'rate'
        ? 'write e.g. 200, 200 req/s or 3 * api_request_rate'
        : 'write a plain number, e.g. 100',
    );
    return undefined;
  }
  if (!fixed) return { expr: expr.text };
  const value = unit === '1/s' ? (fixed.value * timeUnitMs) / 1000 : fixed.value;
  if (!(value >= 0) || !Number.isFinite(value) || (kind === 'count' && !Number.isInteger(value))) {
    ctx.fail(
      'PLAN_SCHEMA',
      path,
      `${written} is not ${kind === 'count' ? 'a whole number of VUs' : 'a rate of 0 or more'}`,
      kind === 'count' ? 'write a whole number, e.g. 100' : 'write a rate of 0 or more',
    );
    return undefined;
  }
  return value;
}

/** A constant amount's value and canonical unit. */
function constantValue(
  ctx: CompileContext,
  evaluate: (scope: Record<string, unknown>) => unknown,
  path: FieldPath,
): { unit: string; value: number } | undefined {
  try {
    const q = toQuantity(ctx.units, evaluate({}));
    return { unit: q.unit, value: q.value };
  } catch (err) {
    ctx.fail(
      'PLAN_UNIT',
      path,
      `cannot evaluate: ${(err as Error).message}`,
      'write a number, e.g. 100',
    );
    return undefined;
  }
}

/** The longest the run may last (ms) and the most load it may offer (VUs, or per second); a formula's peak is Infinity until the run resolves it. */
export function bounds(
  executor: ScenarioExecutor,
  s: Settings,
): Pick<PlanLoadTest, 'maxDurationMs' | 'maxLoad'> {
  const staged = (s.stages ?? []).reduce((sum, st) => sum + st.durationMs, 0);
  const perSecond = 1000 / (s.timeUnitMs ?? 1000);
  // A formula's value is known only when the run starts: then the resolved spec bounds it.
  const peak = (amounts: (Amount | undefined)[], factor: number): number =>
    amounts.some((a) => typeof a === 'object')
      ? Number.POSITIVE_INFINITY
      : Math.max(0, ...amounts.map((a) => (typeof a === 'number' ? a * factor : 0)));
  const targets = (s.stages ?? []).map((st) => st.target);
  switch (executor) {
    case 'constant-vus':
      return { maxDurationMs: s.durationMs ?? 0, maxLoad: peak([s.vus], 1) };
    case 'ramping-vus':
      return {
        maxDurationMs: staged + (s.gracefulRampDownMs ?? 0),
        maxLoad: peak([s.startVUs, ...targets], 1),
      };
    case 'constant-arrival-rate':
      return { maxDurationMs: s.durationMs ?? 0, maxLoad: peak([s.rate], perSecond) };
    default:
      return { maxDurationMs: staged, maxLoad: peak([s.startRate, ...targets], perSecond) };
  }
}
