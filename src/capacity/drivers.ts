/**
 * Projecting a business driver (companies, users) into the future: from its own history when
 * there is enough (the forecast models, with prediction intervals), else from the growth the
 * plan declares (`15/week`, `10%/month`), else flat.
 */
import { fit, growthPerWeek, type FitOptions, type Point } from '../forecast/index.ts';
import type { PlanDriver, PlanGrowth } from '../plan/types.ts';

/** A driver's value at one time, with its prediction interval. */
export interface DriverValue {
  /** Point forecast. */
  value: number;
  /** Lower bound of the interval. */
  lower: number;
  /** Upper bound of the interval. */
  upper: number;
}

/** How a driver moves from now on. */
export interface DriverProjection {
  /** Driver name. */
  name: string;
  /** Value now: the latest measurement, else the plan's static `value`. */
  now?: number;
  /** Where `now` came from. */
  source: 'metric' | 'static' | 'none';
  /** `fitted` from history, `declared` in the plan, or `flat` (no growth known). */
  method: 'fitted' | 'declared' | 'flat';
  /** Forecast model, when fitted. */
  model?: string;
  /** Growth per week, in driver units (point forecast over the next week). */
  perWeek: number;
  /** Growth per week as a fraction of the value now. */
  fractionPerWeek: number;
  /** The growth the plan declares, as written, if any. */
  declared?: string;
  /** One sentence on how the projection was made. */
  note: string;
  /** The driver's value at time `t` (epoch ms). */
  at(t: number): DriverValue;
}

/** History needed before a driver is projected from its own data: points and span, ms. */
export const MIN_HISTORY_POINTS = 10;
/** Span of history needed to fit a driver's growth, ms (one day). */
export const MIN_HISTORY_SPAN_MS = 86_400_000;

const WEEK_MS = 604_800_000;

/** Options of `projectDriver`. */
export interface ProjectDriverOptions {
  /** Projection origin, epoch ms. */
  now: number;
  /** Latest measured value, if any. */
  measured?: number;
  /** Measured history, oldest first. */
  history: readonly Point[];
  /** Central interval coverage, 0..1. */
  level: number;
  /** Where the fit keeps its model choice across rebuilds. */
  memory?: FitOptions['memory'];
}

/** Projects one driver. */
export function projectDriver(driver: PlanDriver, options: ProjectDriverOptions): DriverProjection {
  const nowValue = options.measured ?? driver.value;
  const source =
    options.measured !== undefined ? 'metric' : nowValue !== undefined ? 'static' : 'none';
  const base = { name: driver.name, now: nowValue, source, declared: driver.growth?.text } as const;
  const span = options.history.length
    ? options.history[options.history.length - 1]!.t - options.history[0]!.t
    : 0;
  if (options.history.length >= MIN_HISTORY_POINTS && span >= MIN_HISTORY_SPAN_MS) {
    return fitted(base, options);
  }
  if (driver.growth && nowValue !== undefined)
    return declared(base, driver.growth, options.now, nowValue);
  const v = nowValue ?? 0;
  return {
    ...base,
    method: 'flat',
    perWeek: 0,
    fractionPerWeek: 0,
    note:
      nowValue === undefined
        ? 'no value: neither a measurement nor a static value'
        : 'no growth known: no history and no declared growth, so held flat',
    at: () => ({ value: v, lower: v, upper: v }),
  };
}

type Base = Pick<DriverProjection, 'name' | 'now' | 'source' | 'declared'>;

function fitted(base: Base, options: ProjectDriverOptions): DriverProjection {
  const model = fit([...options.history], { memory: options.memory });
  const growth = growthPerWeek(model);
  const days =
    (options.history[options.history.length - 1]!.t - options.history[0]!.t) / 86_400_000;
  const last = options.history[options.history.length - 1]!.v;
  const now = base.now ?? last;
  return {
    ...base,
    now,
    method: 'fitted',
    model: model.name,
    perWeek: growth.perWeek,
    fractionPerWeek: growth.fractionPerWeek,
    note: `fitted (${model.name}) on ${options.history.length} points over ${days.toFixed(1)} days`,
    at: (t) => {
      if (t <= model.lastT) return { value: now, lower: now, upper: now };
      const [p] = model.predictAt([t], options.level);
      return {
        value: p!.value,
        lower: Math.min(p!.lower, p!.value),
        upper: Math.max(p!.upper, p!.value),
      };
    },
  };
}

function declared(base: Base, growth: PlanGrowth, now: number, value: number): DriverProjection {
  const at = (t: number): DriverValue => {
    const dt = Math.max(0, t - now);
    const v =
      growth.kind === 'linear'
        ? value + growth.rate * dt
        : value * (1 + growth.rate) ** (dt / growth.periodMs);
    return { value: v, lower: v, upper: v };
  };
  const perWeek = at(now + WEEK_MS).value - value;
  return {
    ...base,
    method: 'declared',
    perWeek,
    fractionPerWeek: value === 0 ? 0 : perWeek / value,
    note: `declared growth ${growth.text} (no history long enough to fit)`,
    at,
  };
}
