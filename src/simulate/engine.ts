/**
 * The discrete-event simulation of one FIFO queue and a pool of identical workers under an
 * autoscaling policy.
 *
 * - Jobs arrive at given times with given service times and are served first come, first
 *   served by the first free worker.
 * - Every `intervalMs` from the start the policy is called with an observation measured
 *   `lagMs` earlier (see `metrics.ts`) and the live replica counts; its answer, clamped to
 *   [min, max], sets the replicas asked for.
 * - Scale-up: new workers take work `startupMs` after they are asked for (0: at once).
 * - Scale-down, gracefully: workers still starting are cancelled first (newest first), then
 *   idle workers leave, then busy workers finish their job, take no other and leave. No job is
 *   ever interrupted.
 * - Cost: every worker counts from the moment it is asked for until it leaves (a starting
 *   worker costs money), up to the end of the trace or the last completion, whichever is later.
 * - After the trace ends the policy keeps running until every job is done (or `drainLimitMs`
 *   passes; jobs never started then count as waiting for ever).
 *
 * Events: arrivals and measurement/decision times are already in order; completions sit in a
 * numeric heap and start-ups in a FIFO (their delay is constant). Job times live in typed
 * arrays; the loop allocates nothing per job.
 */
import type { Policy } from '../autoscale/index.ts';
import { TimeHeap } from './heap.ts';
import { MetricsLag } from './metrics.ts';
import { WorkerPool } from './pool.ts';

/** What one run is given. Times are epoch ms. */
export interface EngineInput {
  /** Job arrival times, ascending. */
  arrivals: Float64Array;
  /** Service time of each job, ms. */
  serviceMs: Float64Array;
  /** Start and end of the trace. */
  startMs: number;
  endMs: number;
  /** The policy, already inside its safety rails. */
  policy: Policy;
  min: number;
  max: number;
  /** Workers running (ready) at the start. */
  initialReplicas: number;
  /** Delay between asking for a worker and its taking work, ms. */
  startupMs: number;
  /** Time between policy calls, ms. */
  intervalMs: number;
  /** Age of the metrics a policy call sees, ms. */
  lagMs: number;
  /** How long after the end to keep going while jobs remain (default one day), ms. */
  drainLimitMs?: number;
  /** Called now and then with the fraction of the trace simulated (0..1). */
  onProgress?: (fraction: number) => void;
}

/** What one run measured. */
export interface EngineRun {
  /** Each job's wait before service, ms (Infinity when it never started). */
  waitsMs: Float64Array;
  /** Worker-milliseconds paid for. */
  workerMs: number;
  /** When the run ended: the end of the trace or the last completion, whichever is later. */
  finishMs: number;
  /** Per whole minute of the trace: the mean number of workers paid for. */
  workersPerMinute: Float64Array;
  /** Highest replicas asked for at any time. */
  maxReplicas: number;
  /** Decisions that changed the replicas asked for. */
  scaleEvents: number;
  /** Policy calls. */
  decisions: number;
  /** Events processed (arrivals, completions, start-ups, measurements, decisions). */
  events: number;
}

const DAY_MS = 86_400_000;

/** Runs the simulation (see the module doc). */
export function runEngine(input: EngineInput): EngineRun {
  const { arrivals, serviceMs, startMs, endMs, policy, min, max, intervalMs, lagMs } = input;
  const n = arrivals.length;
  if (serviceMs.length !== n) throw new RangeError('one service time per arrival');
  if (!(intervalMs > 0) || !(lagMs >= 0) || !(input.startupMs >= 0))
    throw new RangeError('intervalMs must be > 0, lagMs and startupMs >= 0');
  const limitMs = endMs + (input.drainLimitMs ?? DAY_MS);
  const minutes = Math.max(1, Math.ceil((endMs - startMs) / 60_000));
  const waits = new Float64Array(n).fill(Infinity);
  const completions = new TimeHeap(Math.max(16, input.initialReplicas * 2));
  const pool = new WorkerPool(startMs, minutes, input.startupMs, input.initialReplicas);
  const lag = new MetricsLag(intervalMs, lagMs);
  let state = policy.initialState();
  let next = 0; // next arrival
  let head = 0; // first waiting job (jobs start in arrival order)
  let completed = 0;
  let lastCompletion = startMs;
  let tick = 0;
  let events = 0;
  let scaleEvents = 0;
  let maxReplicas = pool.requested;
  let tickAt = startMs;
  let measureAt = Math.max(startMs, tickAt - lagMs);
  const span = Math.max(1, endMs - startMs);

  let control = nextControl(completed < n, measureAt, tickAt, endMs, limitMs);

  for (;;) {
    const tc = completions.peek();
    const tr = pool.nextReadyAt();
    const ta = next < n ? arrivals[next]! : Infinity;
    let t = tc < tr ? tc : tr;
    if (ta < t) t = ta;
    // At equal times jobs move first, then the metrics are read, then the policy decides.
    if (control < t || (t === Infinity && control !== Infinity)) {
      t = control;
      events++;
      if (measureAt <= tickAt) {
        lag.take(t, {
          queueLength: next - head,
          inService: pool.busy,
          oldestArrivalMs: head < next ? arrivals[head]! : NaN,
          arrived: next,
          completed,
        });
        measureAt = Math.max(startMs, startMs + lag.count * intervalMs - lagMs);
      } else {
        const obs = lag.observation(tick, pool.ready, pool.requested);
        const d = policy.decide(obs, state, t);
        state = d.state;
        const wanted = Number.isFinite(d.replicas) ? Math.round(d.replicas) : pool.requested;
        const target = Math.min(max, Math.max(min, wanted));
        if (target !== pool.requested) {
          scaleEvents++;
          pool.scaleTo(target, t);
          while (pool.idle > 0 && head < next) {
            pool.idleToBusy();
            head = startJob(head, t, arrivals, serviceMs, waits, completions);
          }
          if (pool.requested > maxReplicas) maxReplicas = pool.requested;
        }
        tick++;
        tickAt = startMs + tick * intervalMs;
        if (input.onProgress && (tick & 63) === 0)
          input.onProgress(Math.min(1, (t - startMs) / span));
      }
      control = nextControl(completed < n, measureAt, tickAt, endMs, limitMs);
      continue;
    }
    if (t === Infinity) break;
    events++;
    if (t === tc) {
      completions.pop();
      completed++;
      lastCompletion = t;
      if (completed === n) control = nextControl(completed < n, measureAt, tickAt, endMs, limitMs);
      if (pool.releaseBusy(t)) continue; // it was leaving: it is gone
      if (head < next) head = startJob(head, t, arrivals, serviceMs, waits, completions);
      else pool.busyToIdle();
    } else if (t === tr) {
      pool.readyOne();
      if (head < next) {
        pool.idleToBusy();
        head = startJob(head, t, arrivals, serviceMs, waits, completions);
      }
    } else {
      next++;
      if (pool.idle > 0) {
        pool.idleToBusy();
        head = startJob(head, t, arrivals, serviceMs, waits, completions);
      }
    }
  }
  const finishMs = Math.max(endMs, lastCompletion);
  pool.settle(finishMs);
  input.onProgress?.(1);
  return {
    waitsMs: waits,
    workerMs: pool.workerMs,
    finishMs,
    workersPerMinute: pool.perMinute(endMs),
    maxReplicas,
    scaleEvents,
    decisions: tick,
    events,
  };
}

/**
 * The next measurement or decision time: Infinity once every job is done and the trace is
 * over, or past the drain limit.
 */
function nextControl(
  jobsLeft: boolean,
  measureAt: number,
  tickAt: number,
  endMs: number,
  limitMs: number,
): number {
  if (!jobsLeft && tickAt >= endMs) return Infinity;
  const c = measureAt < tickAt ? measureAt : tickAt;
  return c < limitMs ? c : Infinity;
}

/** Starts waiting job `head` at `t` on a worker already counted busy; returns the next head. */
function startJob(
  head: number,
  t: number,
  arrivals: Float64Array,
  serviceMs: Float64Array,
  waits: Float64Array,
  completions: TimeHeap,
): number {
  waits[head] = t - arrivals[head]!;
  completions.push(t + serviceMs[head]!);
  return head + 1;
}
