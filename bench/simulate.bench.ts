/**
 * The simulator's speed and accuracy on the M/M/c queue: events per second against SimPy (the
 * Python discrete-event library; Debian's python3-simpy is SimPy 2) running the same model with
 * the same number of jobs in the same run, and the mean wait against Erlang C's closed form.
 * Events are counted the same way for both: one arrival and one completion per job. headroom's
 * time includes drawing the arrivals and service times, as SimPy's does.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createPolicy } from '../src/autoscale/index.ts';
import { mmc } from '../src/capacity/queueing/index.ts';
import { drawServiceTimes, poissonArrivals, runEngine, streamRng } from '../src/simulate/index.ts';
import { nowMs, renderTable, type BenchRow } from './table.ts';

const SCRIPT = fileURLToPath(new URL('./simulate/mmc_simpy.py', import.meta.url));
/** The interpreter that has python3-simpy. */
const DEBIAN_PYTHON = '/usr/bin/python3';
const [RATE, SERVICE_SEC, SERVERS, JOBS, SEED] = [8, 1, 10, 1_000_000, 1];
const REPEATS = 3;

/** One headroom run: wall time and mean wait. */
function headroomRun(): { ms: number; meanWait: number; waited: number } {
  const started = nowMs();
  const arrivals = poissonArrivals(RATE, JOBS, streamRng(SEED, 1));
  const serviceMs = drawServiceTimes(
    { kind: 'exp', meanSec: SERVICE_SEC },
    JOBS,
    streamRng(SEED, 2),
  );
  const run = runEngine({
    arrivals,
    serviceMs,
    startMs: 0,
    endMs: arrivals[JOBS - 1]! + 1,
    policy: createPolicy({ kind: 'fixed', replicas: SERVERS }, { min: SERVERS, max: SERVERS }),
    min: SERVERS,
    max: SERVERS,
    initialReplicas: SERVERS,
    startupMs: 0,
    intervalMs: 15_000,
    lagMs: 15_000,
  });
  const ms = nowMs() - started;
  let sum = 0;
  let waited = 0;
  for (const w of run.waitsMs) {
    sum += w;
    if (w > 0) waited++;
  }
  return { ms, meanWait: sum / JOBS / 1000, waited: waited / JOBS };
}

/** SimPy on the same model, or why it did not run. */
function simpyRun():
  { ok: true; seconds: number; meanWait: number; version: string } | { ok: false; reason: string } {
  const r = spawnSync(
    DEBIAN_PYTHON,
    [SCRIPT, String(RATE), String(SERVICE_SEC), String(SERVERS), String(JOBS), String(SEED)],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (r.status !== 0) {
    const missing = /No module named 'SimPy'/.test(r.stderr ?? '') || r.error !== undefined;
    return {
      ok: false,
      reason: missing ? 'SimPy missing (apt-get install python3-simpy)' : (r.stderr ?? '').trim(),
    };
  }
  const doc = JSON.parse(r.stdout) as { seconds: number; mean_wait: number; version: string };
  return { ok: true, seconds: doc.seconds, meanWait: doc.mean_wait, version: doc.version };
}

/** Runs SimPy once and headroom (after a warm-up) REPEATS times; renders the table. */
export async function run(): Promise<string> {
  const theory = mmc({ arrivalRatePerSec: RATE, serviceTimeSec: SERVICE_SEC, servers: SERVERS });
  const simpy = simpyRun();
  if (simpy.ok) console.error(`  SimPy ${simpy.version}: ${simpy.seconds.toFixed(1)} s`);
  else console.error(`  SimPy: ${simpy.reason}`);
  headroomRun();
  const runs = Array.from({ length: REPEATS }, headroomRun).sort((a, b) => a.ms - b.ms);
  const median = runs[Math.floor(REPEATS / 2)]!;
  const events = 2 * JOBS;
  const ours = events / (median.ms / 1000);
  const theirs = simpy.ok ? events / simpy.seconds : 0;
  const waitError = Math.abs(median.meanWait / theory.meanWaitSec - 1);
  const rows: BenchRow[] = [
    {
      name: `events/s, arrivals + completions (median of ${REPEATS}; baseline: SimPy ${simpy.ok ? simpy.version : ''})`,
      value: ours,
      baseline: theirs,
      unit: 'events/s',
      goal: {
        text: simpy.ok ? '>= 30 × SimPy' : `>= 30 × SimPy (${simpy.reason})`,
        met: simpy.ok && ours >= 30 * theirs,
      },
    },
    {
      name: `mean wait, ${JOBS.toLocaleString('en-US')} jobs (baseline: Erlang C); error ${(waitError * 100).toFixed(2)} %`,
      value: median.meanWait,
      baseline: theory.meanWaitSec,
      unit: 's',
      goal: { text: 'within 2 % of Erlang C', met: waitError <= 0.02 },
    },
    {
      name: 'share of jobs that wait (baseline: Erlang C)',
      value: median.waited,
      baseline: theory.probabilityOfWait,
      unit: '',
    },
  ];
  if (simpy.ok)
    rows.push({
      name: `SimPy mean wait, same model and job count (baseline: Erlang C); error ${(Math.abs(simpy.meanWait / theory.meanWaitSec - 1) * 100).toFixed(2)} %`,
      value: simpy.meanWait,
      baseline: theory.meanWaitSec,
      unit: 's',
    });
  return renderTable(
    `Simulator: M/M/${SERVERS}, λ ${RATE}/s, exponential service of mean ${SERVICE_SEC} s (utilisation ${((RATE * SERVICE_SEC) / SERVERS).toFixed(1)}), ${JOBS.toLocaleString('en-US')} jobs, seed ${SEED}; headroom vs SimPy in the same run`,
    rows,
  );
}
