/**
 * `oracle`: a rate-clairvoyant yardstick for simulations. It knows each minute's arrival count
 * in advance (not the job sizes, not the random arrival times within the minute) and ignores the
 * observation: at time `now`, with minute m = floor((now − startMs) / 60000), it takes
 *
 *   rate = max(arrivalsPerMinute[m], arrivalsPerMinute[m + 1]) / 60
 *   replicas = Erlang C's fewest servers for the objective at that rate (0 when it is 0)
 *
 * Looking one minute ahead stands in for the worker start-up a real policy must anticipate.
 * Minutes outside the trace count as no traffic. Bounds come from the safety rails.
 */
import { num } from './format.ts';
import { formatWaitTarget, sizeForWait } from './sizing.ts';
import type { DecisionWithState, Policy, PolicySpec } from './types.ts';

/** The `oracle` entry of `PolicySpec`. */
export type OracleSpec = Extract<PolicySpec, { kind: 'oracle' }>;

/** The answer of the last minute decided (Erlang C is computed once per minute). */
export interface OracleState {
  minute: number | null;
  replicas: number;
  rate: number;
}

/** Creates the oracle. */
export function createOraclePolicy(spec: OracleSpec): Policy<OracleState> {
  if (!(spec.serviceTimeSec > 0)) throw new Error('oracle: serviceTimeSec must be > 0');
  const count = (m: number): number => {
    const v = m >= 0 ? spec.arrivalsPerMinute[m] : undefined;
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
  };
  return {
    name: 'oracle',
    initialState: () => ({ minute: null, replicas: 0, rate: 0 }),
    decide(_observation, state, now): DecisionWithState<OracleState> {
      const m = Math.floor((now - spec.startMs) / 60_000);
      let next = state;
      if (state.minute !== m) {
        const rate = Math.max(count(m), count(m + 1)) / 60;
        const replicas = rate > 0 ? sizeForWait(rate, spec.serviceTimeSec, spec.slo).erlang : 0;
        next = { minute: m, replicas, rate };
      }
      return {
        replicas: next.replicas,
        reason: `oracle: minute ${m}, highest rate of this minute and the next ${num(next.rate)}/s, S ${num(spec.serviceTimeSec)}s → Erlang C ${next.replicas} for ${formatWaitTarget(spec.slo)}`,
        state: next,
      };
    },
  };
}
