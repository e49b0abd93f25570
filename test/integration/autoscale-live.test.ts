// The live proof of autoscaling. Ten minutes of a real trace (NASA-HTTP, the STS-70 launch
// day, 1995-07-13 14:15-14:25: six quiet minutes at 10-70 requests a minute, then a surge of
// 160-214) are replayed ten times faster than real time as BullMQ jobs into the Redis on
// 127.0.0.1:6379. Real worker processes (test/fixtures/actuators/bullmq-worker.mjs), started and
// stopped by the `process` actuator, take one job at a time and sleep for its service time. The
// `target-latency` policy from `createPolicy`, given the real queue counts (waiting, active and
// the completed delta) every interval, sizes the pool against `wait_p95 <= 60s`. The very same
// jobs are then replayed against a fixed pool of the autoscaled run's mean size (rounded to the
// nearest whole worker), started before the first job. A job's wait runs from its timestamp to
// its `processedOn`, as BullMQ records them.
//
// The whole world runs COMPRESSION times faster than the trace: the policy is given trace time
// and per-trace-second rates, so its own constants (interval, rate smoothing, stabilization)
// keep their meaning, and every duration printed is in trace seconds (real seconds × 10). The
// service time (3 s) is the plan's, as `per_replica` gives it. Queues live under a random prefix
// and are deleted after; the actuator stops every worker. About 2.5 minutes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ProcessActuator } from '../../src/actuators/process.ts';
import {
  createPolicy,
  type Observation,
  type Policy,
  type WaitTarget,
} from '../../src/autoscale/index.ts';

/** Trace seconds per real second: the 10-minute slice replays in one real minute. */
const COMPRESSION = 10;
/** Minutes of the fixture replayed. */
const MINUTES = 10;
/** Service time of every job, trace seconds (a fixed sleep in the worker). */
const SERVICE_SEC = 3;
/** The pool's wait objective, trace seconds: `wait_p95 <= 60s`. */
const SLO = { quantile: 0.95, waitSec: 60 } satisfies WaitTarget;
/** Time between decisions, trace seconds. */
const INTERVAL_SEC = 5;
/**
 * Scale-down stabilization, trace seconds (`scale_down_cooldown: 30s`). The default 300 s is
 * half the slice and would hold the surge's pool to the end; 30 s still keeps the policy from
 * stopping workers that are still starting.
 */
const SCALE_DOWN_SEC = 30;
const MIN = 1;
const MAX = 30;
/** How long a run may take to finish its jobs after the trace ends, real ms. */
const DRAIN_LIMIT_MS = 40_000;

const FIXTURE = new URL(
  '../fixtures/autoscale/nasa-http-1995-07-13-1415-per-second.csv',
  import.meta.url,
);
const WORKER = fileURLToPath(new URL('../fixtures/actuators/bullmq-worker.mjs', import.meta.url));
const RUN = randomBytes(4).toString('hex');
const PREFIX = `hr-it-live-${RUN}`;
const connection = { host: '127.0.0.1', port: 6379 };
const redis = new Redis({ ...connection, lazyConnect: true });
const queues: Queue[] = [];
const actuators: ProcessActuator[] = [];

after(async () => {
  await Promise.allSettled(actuators.map((a) => a.close()));
  await Promise.allSettled(queues.map((q) => q.close()));
  if (redis.status === 'ready') {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  redis.disconnect();
});

/** A small seeded generator (mulberry32), so both runs see the very same jobs. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface PlannedJob {
  /** When to add it, real ms from the start of the run. */
  atMs: number;
  /** How long it keeps a worker busy, real ms. */
  serviceMs: number;
}

/** Requests per second of the slice, from the fixture. */
function readCounts(): number[] {
  const rows = readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .slice(1);
  return rows.slice(0, MINUTES * 60).map((l) => Number(l.split(',')[1]));
}

/** Each request placed uniformly at random (seeded) inside its second, compressed. */
function planJobs(counts: number[]): PlannedJob[] {
  const place = random(1);
  const times: number[] = [];
  counts.forEach((n, second) => {
    for (let i = 0; i < n; i++) times.push((second + place()) * 1000);
  });
  times.sort((a, b) => a - b);
  return times.map((t) => ({
    atMs: t / COMPRESSION,
    serviceMs: (SERVICE_SEC * 1000) / COMPRESSION,
  }));
}

interface RunResult {
  label: string;
  jobs: number;
  /** Waits in trace seconds, ascending (Infinity for jobs never started). */
  waits: number[];
  /** Mean replicas over the trace window (asked for: running plus starting). */
  meanReplicas: number;
  maxReplicas: number;
  scaleEvents: number;
  /** Per trace minute: arrivals, mean replicas, p95 wait of its jobs. */
  minutes: { arrivals: number; replicas: number; p95: number }[];
  /** Latest a job was added after its planned time, real ms. */
  producerLagMs: number;
  /** Longest time the pool had fewer workers connected than asked for, trace seconds. */
  startupLagSec: number;
  crashes: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Replays `jobs` into a fresh queue served by workers under `policy`; measures every wait. */
async function runPool(
  label: string,
  jobs: PlannedJob[],
  policy: Policy,
  initial: number,
): Promise<RunResult> {
  const name = `${label.replace(/[^a-z0-9]/gi, '-')}-${RUN}`;
  const queue = new Queue(name, { connection, prefix: PREFIX });
  queues.push(queue);
  const actuator = new ProcessActuator({
    pool: label,
    argv: [process.execPath, WORKER],
    env: { QUEUE: name, PREFIX },
    graceMs: 10_000,
    output: 'ignore',
  });
  actuators.push(actuator);
  // Warm start: the initial workers are connected before the first job.
  await actuator.scale(initial, 'initial pool');
  const warmDeadline = Date.now() + 20_000;
  while ((await queue.getWorkersCount()) < initial) {
    if (Date.now() > warmDeadline) throw new Error(`${label}: workers did not connect`);
    await sleep(50);
  }

  const traceMs = (MINUTES * 60_000) / COMPRESSION;
  const t0 = performance.now();
  const elapsed = (): number => performance.now() - t0;
  /** The trace clock the policy sees, epoch ms (14:15 at UTC-04:00). */
  const traceNow = (): number => Date.UTC(1995, 6, 13, 18, 15) + elapsed() * COMPRESSION;

  let producerLagMs = 0;
  const producer = (async () => {
    let i = 0;
    while (i < jobs.length) {
      const now = elapsed();
      const due: PlannedJob[] = [];
      while (i < jobs.length && jobs[i]!.atMs <= now) due.push(jobs[i++]!);
      if (due.length > 0) {
        producerLagMs = Math.max(producerLagMs, now - due[0]!.atMs);
        await queue.addBulk(
          due.map((j) => ({
            name: 'job',
            data: { ms: j.serviceMs },
            opts: { removeOnComplete: false },
          })),
        );
      }
      if (i < jobs.length) await sleep(Math.max(1, jobs[i]!.atMs - elapsed()));
    }
  })();

  const minuteMs = 60_000 / COMPRESSION;
  const replicaMs = new Array<number>(MINUTES).fill(0);
  let maxReplicas = initial;
  let scaleEvents = 0;
  let state = policy.initialState();
  let last: { t: number; completed: number; present: number } | undefined;
  let current = await actuator.current();
  let lastTick = 0;
  let short: number | undefined;
  let startupLagSec = 0;
  for (;;) {
    const t = elapsed();
    // Replicas held since the previous tick, spread over the trace minutes they cover.
    for (let m = Math.floor(lastTick / minuteMs); m < MINUTES && m * minuteMs < t; m++) {
      const from = Math.max(lastTick, m * minuteMs);
      const to = Math.min(t, (m + 1) * minuteMs);
      if (to > from) replicaMs[m]! += current * (to - from);
    }
    lastTick = t;
    const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'prioritized');
    const waiting = (counts.waiting ?? 0) + (counts.prioritized ?? 0);
    const active = counts.active ?? 0;
    const completed = counts.completed ?? 0;
    if (t > traceMs && completed >= jobs.length) break;
    if (t > traceMs + DRAIN_LIMIT_MS) break;
    current = await actuator.current();
    const ready = Math.min(current, await queue.getWorkersCount());
    if (ready < current) short ??= t;
    else if (short !== undefined) {
      startupLagSec = Math.max(startupLagSec, ((t - short) / 1000) * COMPRESSION);
      short = undefined;
    }
    const observation: Observation = {
      at: traceNow(),
      ok: true,
      queueLength: waiting,
      inService: active,
      readyReplicas: ready,
      currentReplicas: current,
    };
    if (last) {
      const dtSec = ((t - last.t) / 1000) * COMPRESSION;
      const done = completed - last.completed;
      observation.completionRatePerSec = done / dtSec;
      observation.arrivalRatePerSec = Math.max(0, done + waiting + active - last.present) / dtSec;
    }
    last = { t, completed, present: waiting + active };
    const decision = policy.decide(observation, state, traceNow());
    state = decision.state;
    if (decision.replicas !== current) {
      scaleEvents += 1;
      await actuator.scale(decision.replicas, decision.reason);
      current = await actuator.current();
      maxReplicas = Math.max(maxReplicas, current);
    }
    await sleep(Math.max(1, (INTERVAL_SEC * 1000) / COMPRESSION - (elapsed() - t)));
  }
  await producer;
  const crashes = actuator.crashCount();
  await actuator.close();

  const done = await queue.getJobs(['completed'], 0, -1);
  const arrivalsPerMinute = new Array<number>(MINUTES).fill(0);
  const waitsPerMinute: number[][] = Array.from({ length: MINUTES }, () => []);
  const waits: number[] = [];
  const startEpoch = Date.now() - elapsed();
  for (const job of done) {
    const wait = (((job.processedOn ?? Infinity) - job.timestamp) / 1000) * COMPRESSION;
    waits.push(wait);
    const m = Math.min(MINUTES - 1, Math.floor((job.timestamp - startEpoch) / minuteMs));
    arrivalsPerMinute[m]! += 1;
    waitsPerMinute[m]!.push(wait);
  }
  for (let i = done.length; i < jobs.length; i++) waits.push(Infinity);
  waits.sort((a, b) => a - b);
  return {
    label,
    jobs: jobs.length,
    waits,
    meanReplicas: replicaMs.reduce((a, b) => a + b, 0) / traceMs,
    maxReplicas,
    scaleEvents,
    minutes: replicaMs.map((r, m) => ({
      arrivals: arrivalsPerMinute[m]!,
      replicas: r / minuteMs,
      p95: quantile(
        waitsPerMinute[m]!.sort((a, b) => a - b),
        0.95,
      ),
    })),
    producerLagMs,
    startupLagSec,
    crashes,
  };
}

function report(r: RunResult): string {
  const q = (p: number): string => quantile(r.waits, p).toFixed(1);
  const mean = r.waits.reduce((a, b) => a + b, 0) / r.waits.length;
  const violating = r.minutes.filter((m) => m.p95 > SLO.waitSec).length;
  return [
    `${r.label.padEnd(15)} jobs ${r.jobs}  replicas mean ${r.meanReplicas.toFixed(2)} max ${r.maxReplicas}  scale events ${r.scaleEvents}  wait mean ${mean.toFixed(1)}s p50 ${q(0.5)}s p95 ${q(0.95)}s p99 ${q(0.99)}s max ${q(1)}s  minutes over the SLO ${violating}/${r.minutes.length}  producer lag ${r.producerLagMs.toFixed(0)}ms  start-up lag ${r.startupLagSec.toFixed(0)}s  crashes ${r.crashes}`,
    `${''.padEnd(15)} per minute: arrivals ${r.minutes.map((m) => m.arrivals).join(' ')}`,
    `${''.padEnd(15)} per minute: replicas ${r.minutes.map((m) => m.replicas.toFixed(1)).join(' ')}`,
    `${''.padEnd(15)} per minute: wait p95 ${r.minutes.map((m) => m.p95.toFixed(0)).join(' ')}`,
  ].join('\n');
}

test(
  'target-latency on live workers keeps the wait objective where a fixed pool of its mean size does not',
  { timeout: 240_000 },
  async () => {
    await redis.connect();
    const jobs = planJobs(readCounts());
    const autoscaled = await runPool(
      'target-latency',
      jobs,
      createPolicy(
        { kind: 'target-latency', slo: SLO, serviceTimeSec: SERVICE_SEC },
        { min: MIN, max: MAX, scaleDownStabilizationMs: SCALE_DOWN_SEC * 1000 },
      ),
      MIN,
    );
    console.log(
      `NASA-HTTP 1995-07-13 14:15-14:25, ${jobs.length} jobs of ${SERVICE_SEC}s, replayed ${COMPRESSION}× faster; objective wait_p95 <= ${SLO.waitSec}s; times in trace seconds`,
    );
    console.log(report(autoscaled));
    const n = Math.max(MIN, Math.round(autoscaled.meanReplicas));
    const fixed = await runPool(
      `fixed:${n}`,
      jobs,
      createPolicy({ kind: 'fixed', replicas: n }, { min: n, max: n }),
      n,
    );
    console.log(report(fixed));
    const p95 = (r: RunResult): number => quantile(r.waits, SLO.quantile);
    assert.equal(autoscaled.crashes + fixed.crashes, 0, 'a worker crashed');
    assert.ok(
      p95(autoscaled) <= SLO.waitSec,
      `autoscaled wait p95 ${p95(autoscaled)}s > ${SLO.waitSec}s`,
    );
    assert.ok(p95(fixed) > SLO.waitSec, `fixed:${n} wait p95 ${p95(fixed)}s <= ${SLO.waitSec}s`);
  },
);
