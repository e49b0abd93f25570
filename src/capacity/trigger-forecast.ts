/**
 * When each trigger will fire: triggers that move with the drivers (utilizations, driver
 * counts, anything the load model explains) are projected through the capacity model; the
 * others are forecast from their own history. A trigger on several series is judged by its
 * worst series.
 */
import { fit, timeToThreshold, type Point } from '../forecast/index.ts';
import type { PlanLevel, PlanTrigger } from '../plan/types.ts';
import { holds } from '../rules/condition.ts';
import { firstCrossing, memoizedInTime } from './crossing.ts';
import { exprValue } from './evaluate.ts';
import { fitOptions, type CapacityModel } from './model.ts';
import { scenarioInputs } from './projection.ts';

/** When one level of a trigger is projected to hold. */
export interface LevelForecast {
  /** Severity. */
  severity: 'warning' | 'critical';
  /** The condition as written. */
  condition: string;
  /** When it is first projected to hold, epoch ms (now if it holds now). */
  at?: number;
  /** Earliest plausible time. */
  earliest?: number;
  /** Latest plausible time. */
  latest?: number;
  /** When to act: `at` minus the level's lead time. */
  actBy?: number;
}

/** The forecast of one trigger. */
export interface TriggerForecast {
  /** Trigger name. */
  trigger: string;
  /** Value now (worst series), canonical units. */
  valueNow?: number;
  /** How it was projected. */
  basis: 'model' | 'history' | 'none';
  /** Forecast model, for history forecasts. */
  model?: string;
  /** Per level. */
  levels: LevelForecast[];
}

/** Forecasts every plan trigger over `horizonMs`. */
export function forecastTriggers(model: CapacityModel, horizonMs: number): TriggerForecast[] {
  return model.plan.triggers.map((t) => forecastTrigger(model, t, horizonMs));
}

function forecastTrigger(model: CapacityModel, t: PlanTrigger, horizonMs: number): TriggerForecast {
  const curve = (which: 'value' | 'lower' | 'upper') =>
    memoizedInTime((time) => {
      const drivers: Record<string, number> = {};
      for (const d of Object.values(model.drivers))
        if (d.now !== undefined) drivers[d.name] = d.at(time)[which];
      return exprValue(model.plan, t.expr, scenarioInputs(model, { drivers }, t.expr));
    });
  // The levels of a trigger cross the same curves: each is evaluated once per time.
  const curves = { value: curve('value'), lower: curve('lower'), upper: curve('upper') };
  const valueAt = (which: 'value' | 'lower' | 'upper') => curves[which];
  const valueNow = worstNow(model, t);
  const later = valueAt('value')(model.now + horizonMs);
  const projectedNow = valueAt('value')(model.now);
  if (
    later !== undefined &&
    projectedNow !== undefined &&
    Math.abs(later - projectedNow) > 1e-12 * Math.max(1, Math.abs(projectedNow))
  ) {
    return {
      trigger: t.name,
      valueNow: valueNow ?? projectedNow,
      basis: 'model',
      levels: t.levels.map((l) => byModel(model, l, valueAt, horizonMs)),
    };
  }
  const history = triggerHistory(model, t);
  if (history.length >= 10) {
    const forecast = fit(history, fitOptions(model, `trigger ${t.name}: ${t.expr.text}`));
    return {
      trigger: t.name,
      valueNow,
      basis: 'history',
      model: forecast.name,
      levels: t.levels.map((l) => {
        const rising = l.condition.op === '>' || l.condition.op === '>=';
        const r = timeToThreshold(forecast, l.condition.threshold, {
          level: model.level,
          horizonMs: horizonMs + (model.now - forecast.lastT),
          direction: rising ? 'above' : 'below',
        });
        const clamp = (v: number | undefined): number | undefined =>
          v === undefined ? undefined : Math.max(v, model.now);
        return withActBy(l, {
          severity: l.severity,
          condition: l.condition.text,
          at: clamp(r.at),
          earliest: clamp(r.lower),
          latest: clamp(r.upper),
        });
      }),
    };
  }
  return {
    trigger: t.name,
    valueNow,
    basis: 'none',
    levels: t.levels.map((l) =>
      withActBy(l, {
        severity: l.severity,
        condition: l.condition.text,
        at: valueNow !== undefined && holds(l.condition, valueNow) ? model.now : undefined,
      }),
    ),
  };
}

function byModel(
  model: CapacityModel,
  l: PlanLevel,
  valueAt: (which: 'value' | 'lower' | 'upper') => (t: number) => number | undefined,
  horizonMs: number,
): LevelForecast {
  const rising = l.condition.op === '>' || l.condition.op === '>=';
  const sign = rising ? 1 : -1;
  const cross = (which: 'value' | 'lower' | 'upper'): number | undefined =>
    firstCrossing(
      (t) => {
        const v = valueAt(which)(t);
        return v === undefined ? undefined : sign * v;
      },
      sign * l.condition.threshold,
      model.now,
      horizonMs,
    );
  return withActBy(l, {
    severity: l.severity,
    condition: l.condition.text,
    at: cross('value'),
    earliest: cross(rising ? 'upper' : 'lower'),
    latest: cross(rising ? 'lower' : 'upper'),
  });
}

function withActBy(l: PlanLevel, f: LevelForecast): LevelForecast {
  if (f.at !== undefined && l.leadTimeMs !== undefined) f.actBy = f.at - l.leadTimeMs;
  return f;
}

function worstNow(model: CapacityModel, t: PlanTrigger): number | undefined {
  return exprValue(model.plan, t.expr, { metrics: worstInputs(model).now });
}

/** The trigger's value over the history, judged on each metric's worst series. */
function triggerHistory(model: CapacityModel, t: PlanTrigger): Point[] {
  const out: Point[] = [];
  const frames = worstInputs(model).frames;
  model.history.forEach((f, i) => {
    const v = exprValue(model.plan, t.expr, { metrics: frames[i]! });
    if (v !== undefined) out.push({ t: f.t, v });
  });
  return out;
}

type Metrics = Record<string, number | undefined>;
const worstOf = new WeakMap<CapacityModel, { now: Metrics; frames: Metrics[] }>();

/**
 * Each metric's worst series now and at every frame, in place of the sum: built once per model
 * and shared by every trigger (a copy per trigger per frame grows with plan size squared).
 */
function worstInputs(model: CapacityModel): { now: Metrics; frames: Metrics[] } {
  let worst = worstOf.get(model);
  if (!worst) {
    worst = {
      now: { ...model.inputs.metrics, ...model.worst },
      frames: model.history.map((f) =>
        hasKeys(f.worst) ? { ...f.metrics, ...f.worst } : f.metrics,
      ),
    };
    worstOf.set(model, worst);
  }
  return worst;
}

function hasKeys(o: object | undefined): boolean {
  for (const _ in o) return true;
  return false;
}
