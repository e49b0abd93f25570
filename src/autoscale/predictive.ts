/**
 * `predictive`: target-latency sized for the arrival rate forecast over the next worker
 * start-up plus one interval, never below the reactive answer.
 *
 * - History: the arrival rate is averaged into one-minute buckets; the last 60 closed minutes
 *   are kept in state (60 numbers).
 * - Model: when a minute closes (so at most once per minute of observation time) a damped-trend
 *   Holt model (`holt-damped` from `src/forecast/`, no season) is fitted to that hour. It follows
 *   a ramp without extrapolating it for ever, costs about 0.4 ms per fit on 60 points, and an
 *   hour of minutes is too short for a daily season anyway.
 * - Value: the highest upper bound of the 50 % central interval (the 75th percentile) over the
 *   window the replicas decided now will serve, [now + startup, now + startup + interval], plus
 *   one minute because the forecast is reused until the next minute closes. Running short during
 *   a rise costs the objective while new workers start; running a little long costs a few
 *   replica-minutes; a modest level hedges without letting noise inflate the answer.
 * - Answer: max(reactive target-latency answer, Erlang C at the forecast rate + the same backlog
 *   term): it scales out ahead of a rise, and never scales in on a forecast alone.
 * - Until 10 minutes of history exist, it answers the reactive value and says it is warming up.
 */
import { fit } from '../forecast/index.ts';
import { emptyEstimates, type Estimates } from './estimates.ts';
import { dur, num } from './format.ts';
import { describeSizing, sizeForWait } from './sizing.ts';
import { assessWait, describeRates } from './target-latency.ts';
import type { DecisionWithState, Observation, Policy, PolicySpec } from './types.ts';

/** The `predictive` entry of `PolicySpec`. */
export type PredictiveSpec = Extract<PolicySpec, { kind: 'predictive' }>;

/** Minutes of history kept. */
export const HISTORY_MINUTES = 60;
/** Minutes of history needed before forecasting. */
export const MIN_HISTORY_MINUTES = 10;
/** Central interval level whose upper bound is used. */
export const FORECAST_LEVEL = 0.5;
/** The forecasting model. */
export const FORECAST_MODEL = 'holt-damped';

const MINUTE = 60_000;

/** A forecast made when a minute closed. */
export interface RateForecast {
  /** The minute index (epoch ms / 60000) whose close triggered it. */
  minute: number;
  /** Highest forecast rate over the window, arrivals/s. */
  rate: number;
}

/** What predictive remembers between calls (plain JSON, about 60 numbers). */
export interface PredictiveState {
  estimates: Estimates;
  /** The open minute: its index, and the sum and count of the rates seen in it. */
  bucket: { minute: number; sum: number; count: number } | null;
  /** Closed minutes' mean arrival rates, oldest first. */
  history: { minute: number; rate: number }[];
  /** The latest forecast, or null. */
  forecast: RateForecast | null;
}

/** Creates the predictive policy. */
export function createPredictivePolicy(spec: PredictiveSpec): Policy<PredictiveState> {
  if (!(spec.startupMs >= 0)) throw new Error('predictive: startupMs must be >= 0');
  if (!(spec.intervalMs > 0)) throw new Error('predictive: intervalMs must be > 0');
  return {
    name: 'predictive',
    initialState: () => ({
      estimates: emptyEstimates(),
      bucket: null,
      history: [],
      forecast: null,
    }),
    decide(observation, state, now): DecisionWithState<PredictiveState> {
      const current = observation.currentReplicas;
      const a = assessWait(spec.slo, spec.serviceTimeSec, observation, state.estimates, now);
      const next = { ...record(state, observation, now, spec), estimates: a.estimates };
      if (a.sizing === undefined || a.serviceSec === undefined) {
        return {
          replicas: current,
          reason: `predictive: ${a.missing ?? 'cannot size'}; keep ${current}`,
          state: next,
        };
      }
      const reactiveReplicas = a.backtest?.replicas ?? a.sizing.replicas;
      const reactive = `reactive ${describeRates(a)}; ${describeSizing(a.sizing, spec.slo, a.queueLength)}${a.backtest?.note ?? ''} → ${reactiveReplicas}`;
      const minute = Math.floor(now / MINUTE);
      const f = next.forecast;
      if (f === null || f.minute < minute - 1) {
        const why =
          next.history.length < MIN_HISTORY_MINUTES
            ? `warming up (${next.history.length} of ${MIN_HISTORY_MINUTES} minutes of history)`
            : 'no recent forecast';
        return {
          replicas: reactiveReplicas,
          reason: `predictive: ${why}; ${reactive}`,
          state: next,
        };
      }
      const ahead = sizeForWait(f.rate, a.serviceSec, spec.slo, a.queueLength);
      const replicas = Math.max(reactiveReplicas, ahead.replicas);
      const horizon = dur(spec.startupMs + spec.intervalMs);
      const which = ahead.replicas > reactiveReplicas ? 'forecast' : 'reactive';
      return {
        replicas,
        reason:
          `predictive: ${reactive}; forecast λ ${num(f.rate)}/s (${FORECAST_MODEL}, 75th percentile, next ${horizon}): ` +
          `${describeSizing(ahead, spec.slo, a.queueLength)} → ${ahead.replicas}; ${which} wins → ${replicas}`,
        state: next,
      };
    },
  };
}

/** Adds the observation's rate to the open minute; on a new minute, closes it and refits. */
function record(
  state: PredictiveState,
  observation: Observation,
  now: number,
  spec: PredictiveSpec,
): PredictiveState {
  const rate = observation.arrivalRatePerSec;
  if (!observation.ok || typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
    return state;
  }
  const minute = Math.floor(now / MINUTE);
  const open = state.bucket;
  if (open !== null && open.minute === minute) {
    return { ...state, bucket: { minute, sum: open.sum + rate, count: open.count + 1 } };
  }
  let { history, forecast } = state;
  if (open !== null && open.minute < minute) {
    history = [...history, { minute: open.minute, rate: open.sum / open.count }];
    if (history.length > HISTORY_MINUTES) history = history.slice(-HISTORY_MINUTES);
    forecast = forecastRate(history, now, spec) ?? forecast;
  }
  return { ...state, bucket: { minute, sum: rate, count: 1 }, history, forecast };
}

/** The highest forecast rate over the window the replicas decided in the next minute serve. */
export function forecastRate(
  history: readonly { minute: number; rate: number }[],
  now: number,
  spec: Pick<PredictiveSpec, 'startupMs' | 'intervalMs'>,
): RateForecast | undefined {
  if (history.length < MIN_HISTORY_MINUTES) return undefined;
  const last = history[history.length - 1]!;
  const points = history.map((h) => ({ t: h.minute * MINUTE + MINUTE / 2, v: h.rate }));
  try {
    const model = fit(points, { model: FORECAST_MODEL, seasonLength: 0, stepMs: MINUTE });
    const from = now + spec.startupMs;
    const to = from + spec.intervalMs + MINUTE;
    const times: number[] = [];
    for (let t = from; t < to; t += MINUTE) times.push(t);
    times.push(to);
    let highest = 0;
    for (const p of model.predictAt(times, FORECAST_LEVEL)) {
      if (Number.isFinite(p.upper)) highest = Math.max(highest, p.upper);
    }
    return { minute: last.minute, rate: highest };
  } catch {
    return undefined;
  }
}
