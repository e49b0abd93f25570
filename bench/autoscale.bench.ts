/**
 * Autoscaling policies replayed on four real arrival traces (see `bench/data/README.md`) in the
 * simulator: per policy, the worker-hours paid for, the minutes that missed the wait objective
 * (and the share that met it), the scale events, and cost ratios against hpa and the oracle
 * measured in the same run. Every policy sees the same jobs (seed 1) and runs with the defaults
 * `headroom simulate` uses (see `src/simulate/policies.ts`); the policies are not tuned here.
 * `fixed` is a pool of the oracle's average size (rounded), all the time.
 *
 * Goal, per trace: target-latency or predictive meets the objective in >= 99 % of minutes with
 * worker-hours <= 1.2 × the oracle's, and beats hpa (fewer violating minutes at no more cost, or
 * >= 20 % less cost at no more violating minutes).
 *
 * A case is well posed only if the oracle itself meets the objective by the goal's rule (it is
 * the bound every policy is measured against). The rule that fixes a case's objective, applied
 * by running the oracle alone, before target-latency or predictive were looked at: the
 * objective is the tightest of wait_p95 <= 10 s, 30 s, 60 s, 120 s at which the oracle meets it
 * (>= 99 % of minutes; a one-hour trace may miss 2); service time and start-up stay as the
 * system's. It changed one case: Azure LLM code, where the oracle met 10 s in 39.7 % of minutes
 * (35 of 58 violating), 30 s with 17 and 60 s with 10 violating, and 120 s with none: so 120 s.
 * The other cases' objectives already satisfy it and stay as they were.
 */
import { fileURLToPath } from 'node:url';
import { readTraceFile } from '../src/cli/simulate.ts';
import { parseWaitObjective } from '../src/plan/wait-objective.ts';
import {
  parseServiceTime,
  prepareJobs,
  runPolicy,
  type RunSettings,
  type SimulationSummary,
} from '../src/simulate/index.ts';
import { nowMs, renderTable, type BenchRow } from './table.ts';

const DATA = fileURLToPath(new URL('./data/traces/', import.meta.url));

/** One trace and the system it stands for. */
interface Case {
  name: string;
  file: string;
  service: string;
  slo: string;
  startup: number;
  /** What the trace holds and why these numbers. */
  note: string;
}

const CASES: Case[] = [
  {
    name: 'NASA HTTP',
    file: 'nasa_http_1995/nasa_jul95_0708-0714_requests_per_minute.csv',
    service: 'lognormal:10s,1',
    slo: 'wait_p95 <= 30s',
    startup: 60_000,
    note: 'KSC web server, 1995-07-08..14 (7 days, launch day 07-13), requests per minute',
  },
  {
    name: 'Tweets AMZN',
    file: 'nab_realTweets/Twitter_volume_AMZN_0305-0311.csv',
    service: 'lognormal:20s,0.8',
    slo: 'wait_p95 <= 60s',
    startup: 60_000,
    note: 'NAB realTweets, 2015-03-05..11 (7 days, the two largest bursts), mentions per 5 minutes',
  },
  {
    name: 'Azure LLM code',
    file: 'azure_llm_inference_2023/AzureLLMInferenceTrace_code.csv',
    service: 'lognormal:2s,1',
    slo: 'wait_p95 <= 120s',
    startup: 120_000,
    note: 'Azure LLM inference 2023, code, one row per request (57 min, bursts of 67 in a second); objective by the rule in the file comment: the tightest of 10/30/60/120 s the oracle meets (it misses 10 s in 35 of 58 minutes, 60 s in 10; meets 120 s)',
  },
  {
    name: 'Mooncake',
    file: 'mooncake_fast25/conversation_trace.csv',
    service: 'lognormal:8s,0.6',
    slo: 'wait_p95 <= 15s',
    startup: 120_000,
    note: 'Mooncake FAST’25 conversation trace, one row per request (59 min)',
  },
];

const POLICIES = ['hpa', 'step', 'target-latency', 'predictive', 'oracle'];
const SEED = 1;
const INTERVAL_MS = 15_000;
const MAX = 200;

/** The summaries of every policy on one case. */
function runCase(c: Case): SimulationSummary[] {
  const service = parseServiceTime(c.service);
  const trace = readTraceFile(`${DATA}${c.file}`, 'auto', service);
  const jobs = prepareJobs(trace, service, SEED);
  const slo = parseWaitObjective(c.slo);
  if (!slo) throw new Error(`bad objective ${c.slo}`);
  const settings: RunSettings = {
    slo,
    min: 1,
    max: MAX,
    startupMs: c.startup,
    intervalMs: INTERVAL_MS,
  };
  const out = POLICIES.map((p) => runPolicy(jobs, settings, p).summary);
  const oracle = out[POLICIES.indexOf('oracle')]!;
  const size = Math.max(1, Math.round(oracle.worker_seconds / 60 / oracle.minutes));
  out.push(runPolicy(jobs, settings, `fixed:${size}`).summary);
  return out;
}

const hours = (s: SimulationSummary): number => s.worker_seconds / 3600;
const okShare = (s: SimulationSummary): number => 1 - s.slo_violation_minutes / s.minutes;
/** The issue's rule: 99 % of minutes meet the SLO, and a one-hour trace may miss 2. */
const meetsSlo = (s: SimulationSummary): boolean =>
  s.slo_violation_minutes <= Math.max(2, Math.floor(0.01 * s.minutes));

/** Whether `s` beats hpa as the goal says. */
function beatsHpa(s: SimulationSummary, hpa: SimulationSummary): boolean {
  const fewer = s.slo_violation_minutes < hpa.slo_violation_minutes && hours(s) <= hours(hpa);
  const cheaper =
    hours(s) <= 0.8 * hours(hpa) && s.slo_violation_minutes <= hpa.slo_violation_minutes;
  return fewer || cheaper;
}

/** The goal row of one case: the better of target-latency and predictive. */
function goalRow(c: Case, rows: SimulationSummary[]): BenchRow {
  const by = (p: string): SimulationSummary => rows.find((r) => r.policy === p)!;
  const hpa = by('hpa');
  const oracle = by('oracle');
  const judge = (s: SimulationSummary) => ({
    s,
    ok: meetsSlo(s),
    cost: hours(s) <= 1.2 * hours(oracle),
    beats: beatsHpa(s, hpa),
  });
  const candidates = [judge(by('target-latency')), judge(by('predictive'))];
  const score = (j: (typeof candidates)[number]) => Number(j.ok) + Number(j.cost) + Number(j.beats);
  const best = candidates.sort(
    (a, b) => score(b) - score(a) || a.s.slo_violation_minutes - b.s.slo_violation_minutes,
  )[0]!;
  const mark = (b: boolean) => (b ? 'yes' : 'no');
  return {
    name: `${c.name}: ${best.s.policy} worker-hours (baseline: oracle)`,
    value: hours(best.s),
    baseline: hours(oracle),
    unit: 'h',
    goal: {
      text: `>= 99 % minutes OK (a 1-hour trace may miss 2): ${pct(okShare(best.s))} (${mark(best.ok)}); <= 1.2 × oracle (${mark(best.cost)}); beats hpa (${mark(best.beats)})`,
      met: best.ok && best.cost && best.beats,
    },
  };
}

/** The detail table of one case. */
function detail(c: Case, rows: SimulationSummary[]): string {
  const hpa = rows.find((r) => r.policy === 'hpa')!;
  const oracle = rows.find((r) => r.policy === 'oracle')!;
  return [
    `#### ${c.name}: ${c.note}; service ${c.service}, ${c.slo}, start-up ${c.startup / 1000} s, interval 15 s, lag 15 s, replicas 1..${MAX}, ${rows[0]!.jobs.toLocaleString('en-US')} jobs, ${rows[0]!.minutes.toLocaleString('en-US')} minutes`,
    '',
    '| policy | worker-hours | × hpa | × oracle | SLO-violating minutes | minutes meeting SLO | wait p95 | scale events | max replicas |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.policy} | ${hours(r).toFixed(1)} | ${(hours(r) / hours(hpa)).toFixed(2)} | ${(hours(r) / hours(oracle)).toFixed(2)} | ${r.slo_violation_minutes} | ${pct(okShare(r))} | ${Number.isFinite(r.wait_p95) ? `${r.wait_p95.toFixed(1)} s` : 'never'} | ${r.scale_events} | ${r.max_replicas} |`,
    ),
    '',
  ].join('\n');
}

function pct(v: number): string {
  return `${(v * 100).toFixed(1)} %`;
}

/** Runs every policy on every trace and renders the goal table and one table per trace. */
export async function run(): Promise<string> {
  const started = nowMs();
  const results: { c: Case; rows: SimulationSummary[] }[] = [];
  for (const c of CASES) {
    const t0 = nowMs();
    results.push({ c, rows: runCase(c) });
    console.error(`  ${c.name}: ${((nowMs() - t0) / 1000).toFixed(1)} s`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const minutes = ((nowMs() - started) / 60_000).toFixed(1);
  return [
    renderTable(
      `Autoscaling on real traces: the better of target-latency and predictive against the oracle and hpa (whole traces as copied: NASA and tweets are 7-day slices; seed ${SEED}; ${minutes} min)`,
      results.map((r) => goalRow(r.c, r.rows)),
    ),
    ...results.map((r) => detail(r.c, r.rows)),
  ].join('\n');
}
