/**
 * `headroom loadtest --url U (--rate R --duration D | --vus N --duration D | --stages S with
 * --rate or --vus | --breakpoint [...]) [--threshold "metric: expr"]... [--json]` runs a k6-style
 * load test against a service on this machine and prints the summary (one `LoadTestReport` with
 * `--json`). `--plan F --scenario NAME` runs a plan's scenario instead (`loadtest-plan.ts`, given
 * to `registerLoadtest` by `main.ts`, so that file can share this one's helpers without a cycle).
 *
 * Exit codes, as k6: 0 every threshold held, 99 one failed (also when `--abort-on-fail` stopped
 * the run), 105 stopped by Ctrl-C or SIGTERM; 3 for a usage or configuration mistake
 * (LOADTEST_CONFIG, LOADTEST_REMOTE).
 */
import type { Command } from 'commander';
import { HeadroomError } from '../errors.ts';
import { assertLoopbackTarget, parseTargetUrl } from '../loadtest/guard.ts';
import { HttpTarget } from '../loadtest/http-target.ts';
import { liveLine } from '../loadtest/live-line.ts';
import type { RunMetrics } from '../loadtest/metrics.ts';
import { runBreakpoint, runExecutor, type RunOptions } from '../loadtest/runner.ts';
import { renderSummary, requestBreakdown, type RequestBreakdown } from '../loadtest/summary.ts';
import { parseThresholdArg } from '../loadtest/thresholds.ts';
import type {
  BreakpointSpec,
  ExecutorSpec,
  LoadTestReport,
  RequestSpec,
  Stage,
  Threshold,
} from '../loadtest/types.ts';
import { parseDurationMs } from '../plan/units.ts';
import { printJson } from './output.ts';

/** k6's exit code when a threshold failed. */
export const EXIT_THRESHOLD_FAILED = 99;
/** k6's exit code when the test was stopped from outside (Ctrl-C, SIGTERM). */
export const EXIT_INTERRUPTED = 105;

/** The options as commander gives them (`--plan` mode reads the same object). */
export interface LoadtestCliOptions {
  url?: string;
  rate?: string;
  vus?: string;
  duration?: string;
  stages?: string;
  breakpoint?: boolean;
  startRate?: string;
  maxRate?: string;
  step?: string;
  growth?: string;
  resolution?: string;
  maxDuration?: string;
  method: string;
  header: string[];
  body?: string;
  timeout: string;
  maxVus?: string;
  threshold: string[];
  abortOnFail?: boolean;
  delayAbortEval?: string;
  allowRemote?: boolean;
  json?: boolean;
  quiet?: boolean;
  plan?: string;
  scenario?: string;
  write?: boolean;
  queue?: string;
  workers?: string;
  /** With --plan: the store file, or false for `--no-store`. */
  store?: string | false;
}

/** Runs `loadtest --plan …`; resolves the exit code. */
export type PlanLoadTestRunner = (options: LoadtestCliOptions) => Promise<number>;

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Registers `loadtest`; `runPlan` runs the `--plan` mode. */
export function registerLoadtest(program: Command, runPlan: PlanLoadTestRunner): void {
  program
    .command('loadtest')
    .description('load-test a service on this machine with k6 executors and thresholds')
    .option('--url <url>', 'the URL to load (loopback only, unless --allow-remote)')
    .option('--rate <rate>', 'open loop: iterations per second (200/s, 12000/min)')
    .option('--vus <n>', 'closed loop: virtual users')
    .option('--duration <duration>', 'how long, e.g. 30s, 5m')
    .option('--stages <list>', 'ramp with --rate or --vus: "30s:100,1m:100,30s:0"')
    .option('--breakpoint', 'raise the rate step by step until a threshold fails')
    .option('--start-rate <rate>', 'breakpoint: first step (default 10/s)')
    .option('--max-rate <rate>', 'breakpoint: highest rate (default 100000/s)')
    .option('--step <duration>', 'breakpoint: how long each step is held (default 10s)')
    .option('--growth <factor>', 'breakpoint: factor between rising steps (default 1.5)')
    .option('--resolution <fraction>', 'breakpoint: stop refining within this (default 0.05)')
    .option('--max-duration <duration>', 'breakpoint: the whole search at most (default 10m)')
    .option('--method <method>', 'HTTP method', 'GET')
    .option('--header <"K: V">', 'a request header (repeatable)', collect, [])
    .option('--body <text>', 'request body, sent as written')
    .option('--timeout <duration>', 'deadline of one request', '60s')
    .option('--max-vus <n>', 'open loop: iterations in flight before one is dropped')
    .option('--threshold <"metric: expr">', 'k6 threshold (repeatable)', collect, [])
    .option('--abort-on-fail', 'stop as soon as a threshold fails')
    .option('--delay-abort-eval <duration>', 'with --abort-on-fail: judge only after this long')
    .option('--allow-remote', 'allow a target outside this machine (one you own)')
    .option('--json', 'print one JSON document')
    .option('--quiet', 'no live progress line')
    .option('--plan <file>', "run a plan's scenario")
    .option('--scenario <name>', 'with --plan: the scenario under loadtests.scenarios')
    .option('--write', 'with --plan: record the measured capacity in the plan')
    .option('--queue <name>', "with --plan: load a plan's queue with jobs")
    .option('--workers <n>', 'with --queue: workers serving the queue')
    .option(
      '--store <file>',
      "with --plan: SQLite store for the run's samples and record",
      '.headroom/headroom.db',
    )
    .option('--no-store', 'with --plan: keep no samples and no record of the run')
    .action(async (options: LoadtestCliOptions) => {
      process.exitCode =
        options.plan !== undefined ? await runPlan(options) : await urlCommand(options);
    });
}

async function urlCommand(o: LoadtestCliOptions): Promise<number> {
  for (const [flag, given] of [
    ['--scenario', o.scenario],
    ['--write', o.write],
    ['--queue', o.queue],
    ['--workers', o.workers],
  ] as const) {
    if (given !== undefined)
      throw config(`${flag} needs --plan`, `add --plan <file>, or drop ${flag}`);
  }
  if (o.url === undefined) {
    throw config(
      'loadtest needs --url or --plan',
      'e.g. loadtest --url http://127.0.0.1:3000/ --rate 100/s --duration 30s',
    );
  }
  const url = parseTargetUrl(o.url);
  const mode = parseMode(o);
  const thresholds = parseThresholds(o);
  const request = parseRequest(o, url.href);
  await assertLoopbackTarget(url, { allowRemote: o.allowRemote === true });
  const target = new HttpTarget([request], { connections: connectionsFor(mode) });
  let breakdown: RequestBreakdown | undefined;
  try {
    const report = await runWithInterrupt((signal) => {
      const line = liveLine({ quiet: o.quiet, aimKind: aimKindOf(mode) });
      const options: RunOptions = {
        thresholds,
        signal,
        onProgress: (p) => line.update(p),
        onFinish: (m: RunMetrics) => {
          line.done();
          breakdown = requestBreakdown(m);
        },
      };
      return 'breakpoint' in mode
        ? runBreakpoint(mode.breakpoint, target, options)
        : runExecutor(mode, target, options);
    }, o.quiet !== true);
    printReport(report, o.json === true, breakdown);
    return exitCodeFor(report);
  } finally {
    await target.close();
  }
}

/** What `--url` runs: an executor, or a breakpoint search. */
export type LoadMode = ExecutorSpec | { breakpoint: BreakpointSpec };

/** The executor (or breakpoint search) the options describe; LOADTEST_CONFIG naming the option otherwise. */
export function parseMode(o: LoadtestCliOptions): LoadMode {
  const given = (['rate', 'vus', 'duration', 'stages'] as const).filter((k) => o[k] !== undefined);
  if (o.breakpoint) {
    if (given.length > 0) {
      throw config(
        `--breakpoint chooses its own rates: drop --${given.join(', --')}`,
        'set --start-rate, --max-rate, --step instead',
      );
    }
    return { breakpoint: parseBreakpoint(o) };
  }
  const onlyBreakpoint = (
    ['startRate', 'maxRate', 'step', 'growth', 'resolution', 'maxDuration'] as const
  ).find((k) => o[k] !== undefined);
  if (onlyBreakpoint)
    throw config(
      `--${kebab(onlyBreakpoint)} applies to --breakpoint only`,
      'add --breakpoint, or drop it',
    );
  if (o.rate !== undefined && o.vus !== undefined) {
    throw config('--rate (open loop) and --vus (closed loop) exclude each other', 'choose one');
  }
  if (o.rate === undefined && o.vus === undefined) {
    throw config(
      'loadtest --url needs --rate, --vus or --breakpoint',
      'e.g. --rate 100/s --duration 30s, or --vus 10 --duration 30s',
    );
  }
  if (o.stages !== undefined && o.duration !== undefined) {
    throw config(
      '--stages sets the length itself: drop --duration',
      'e.g. --stages "30s:100,1m:100,30s:0"',
    );
  }
  if (o.stages === undefined && o.duration === undefined) {
    throw config(
      `--${o.rate !== undefined ? 'rate' : 'vus'} needs --duration (or --stages)`,
      'e.g. --duration 30s',
    );
  }
  if (o.vus !== undefined && o.maxVus !== undefined)
    throw config('--max-vus applies to --rate and --breakpoint', 'drop --max-vus');
  return o.rate !== undefined ? arrivalMode(o, o.rate) : vusMode(o, o.vus!);
}

function arrivalMode(o: LoadtestCliOptions, rateText: string): ExecutorSpec {
  const rate = parseRateOption(rateText, '--rate', o.stages !== undefined);
  if (o.stages === undefined) {
    const durationMs = parseDuration(o.duration!, '--duration');
    return {
      executor: 'constant-arrival-rate',
      rate,
      timeUnitMs: 1000,
      durationMs,
      maxVUs: maxVusFor(o, rate),
    };
  }
  const stages = parseStages(o.stages, 'rate');
  const peak = Math.max(rate, ...stages.map((s) => s.target));
  return {
    executor: 'ramping-arrival-rate',
    startRate: rate,
    timeUnitMs: 1000,
    stages,
    maxVUs: maxVusFor(o, peak),
  };
}

function vusMode(o: LoadtestCliOptions, vusText: string): ExecutorSpec {
  const vus = parseCount(vusText, '--vus', o.stages !== undefined ? 0 : 1);
  if (o.stages === undefined)
    return { executor: 'constant-vus', vus, durationMs: parseDuration(o.duration!, '--duration') };
  // k6's gracefulRampDown default, 30 s.
  return {
    executor: 'ramping-vus',
    startVUs: vus,
    stages: parseStages(o.stages, 'vus'),
    gracefulRampDownMs: 30_000,
  };
}

function parseBreakpoint(o: LoadtestCliOptions): BreakpointSpec {
  const startRate = parseRateOption(o.startRate ?? '10/s', '--start-rate', false);
  const maxRate = parseRateOption(o.maxRate ?? '100000/s', '--max-rate', false);
  if (maxRate < startRate)
    throw config(`--max-rate ${o.maxRate} is below --start-rate`, 'raise --max-rate');
  const growth = parseNumber(o.growth ?? '1.5', '--growth');
  if (!(growth > 1))
    throw config(`--growth ${o.growth} must be above 1`, 'write e.g. --growth 1.5 (+50 % a step)');
  const resolution = parseNumber(o.resolution ?? '0.05', '--resolution');
  if (!(resolution > 0 && resolution < 1))
    throw config(
      `--resolution ${o.resolution} must be between 0 and 1`,
      'write e.g. --resolution 0.05',
    );
  return {
    startRate,
    maxRate,
    stepMs: parseDuration(o.step ?? '10s', '--step'),
    growth,
    resolution,
    maxDurationMs: parseDuration(o.maxDuration ?? '10m', '--max-duration'),
    maxVUs: maxVusFor(o, maxRate),
  };
}

/** `--max-vus`, or enough for a second of latency at the peak rate (100 to 10,000). */
function maxVusFor(o: LoadtestCliOptions, peakRate: number): number {
  if (o.maxVus !== undefined) return parseCount(o.maxVus, '--max-vus', 1);
  return Math.min(10_000, Math.max(100, Math.ceil(peakRate)));
}

/** HTTP connections a mode needs: its VUs, or its in-flight bound. */
export function connectionsFor(mode: LoadMode): number {
  if ('breakpoint' in mode) return mode.breakpoint.maxVUs;
  if (mode.executor === 'constant-vus') return mode.vus;
  if (mode.executor === 'ramping-vus')
    return Math.max(mode.startVUs, ...mode.stages.map((s) => s.target), 1);
  return mode.maxVUs;
}

function aimKindOf(mode: LoadMode): 'vus' | 'rate' {
  return 'executor' in mode && mode.executor.endsWith('vus') ? 'vus' : 'rate';
}

/** `30s:100,1m:100,30s:0` as stages (targets per second for rates, VUs otherwise). */
export function parseStages(text: string, kind: 'rate' | 'vus'): Stage[] {
  const items = text.split(',').map((s) => s.trim());
  return items.map((item, i) => {
    const colon = item.lastIndexOf(':');
    const where = `--stages item ${i + 1} "${item}"`;
    if (colon <= 0)
      throw config(`${where} is not duration:target`, 'write e.g. --stages "30s:100,1m:100,30s:0"');
    const durationMs = parseDurationMs(item.slice(0, colon));
    if (durationMs === undefined || durationMs <= 0)
      throw config(`${where} has no duration before the colon`, 'write e.g. 30s:100');
    const t = item.slice(colon + 1);
    const target = kind === 'rate' ? parseRateOption(t, where, true) : parseCount(t, where, 0);
    return { durationMs, target };
  });
}

/** A rate option (`200/s`, `200`, `12000/min`, `5/h`) in iterations per second. */
export function parseRateOption(text: string, option: string, allowZero: boolean): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute|h|hour))?\s*$/i.exec(text);
  const perUnit: Record<string, number> = {
    s: 1,
    sec: 1,
    second: 1,
    m: 60,
    min: 60,
    minute: 60,
    h: 3600,
    hour: 3600,
  };
  const rate = m ? Number(m[1]) / perUnit[(m[2] ?? 's').toLowerCase()]! : NaN;
  if (!Number.isFinite(rate) || rate < 0 || (rate === 0 && !allowZero)) {
    throw config(
      `${option} "${text}" is not a rate${allowZero ? '' : ' above 0'}`,
      `write e.g. ${option.startsWith('--') ? option : '--rate'} 200/s (or 12000/min)`,
    );
  }
  return rate;
}

/** A duration option in ms (the plan's duration syntax: `30s`, `1m30s`); LOADTEST_CONFIG otherwise. */
export function parseDuration(text: string, option: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0)
    throw config(`${option} "${text}" is not a duration`, `write e.g. ${option} 30s`);
  return ms;
}

function parseCount(text: string, option: string, min: number): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min)
    throw config(
      `${option} "${text}" is not a whole number of at least ${min}`,
      `write e.g. ${option.startsWith('--') ? option : '--vus'} 10`,
    );
  return n;
}

function parseNumber(text: string, option: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n))
    throw config(`${option} "${text}" is not a number`, `write e.g. ${option} 1.5`);
  return n;
}

/** The thresholds of `--threshold`, with `--abort-on-fail` and `--delay-abort-eval` applied. */
export function parseThresholds(o: LoadtestCliOptions): Threshold[] {
  if (o.delayAbortEval !== undefined && !o.abortOnFail) {
    throw config(
      '--delay-abort-eval needs --abort-on-fail',
      'add --abort-on-fail, or drop --delay-abort-eval',
    );
  }
  const delayAbortEvalMs =
    o.delayAbortEval === undefined ? 0 : parseDuration(o.delayAbortEval, '--delay-abort-eval');
  return o.threshold.map((text, i) => ({
    ...parseThresholdArg(text, `--threshold[${i}]`),
    abortOnFail: o.abortOnFail === true,
    delayAbortEvalMs,
  }));
}

function parseRequest(o: LoadtestCliOptions, url: string): RequestSpec {
  if (!/^[A-Za-z]+$/.test(o.method))
    throw config(`--method "${o.method}" is not an HTTP method`, 'write e.g. --method POST');
  const headers: Record<string, string> = {};
  for (const h of o.header) {
    const colon = h.indexOf(':');
    const name = h.slice(0, colon).trim();
    if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw config(
        `--header "${h}" is not "Name: value"`,
        'write e.g. --header "Authorization: Bearer abc"',
      );
    }
    headers[name] = h.slice(colon + 1).trim();
  }
  return {
    name: url,
    url,
    method: o.method.toUpperCase(),
    headers,
    body: o.body,
    weight: 1,
    expectStatus: (status) => status >= 200 && status < 400,
    timeoutMs: parseDuration(o.timeout, '--timeout'),
  };
}

/**
 * Runs `run` with Ctrl-C and SIGTERM turned into its abort signal: the first stops the test
 * cleanly (in-flight requests end, the partial summary prints); a second quits at once (105).
 */
export async function runWithInterrupt<T>(
  run: (signal: AbortSignal) => Promise<T>,
  say: boolean,
): Promise<T> {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    if (say)
      process.stderr.write(
        '\nstopping: letting requests in flight finish (Ctrl-C again to quit now)\n',
      );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Prints the report: one JSON document with `json`, the text summary otherwise. */
export function printReport(
  report: LoadTestReport,
  json: boolean,
  breakdown?: RequestBreakdown,
): void {
  if (json) printJson(report);
  else process.stdout.write(`${renderSummary(report, breakdown)}\n`);
}

/** k6's exit code for a report: 105 interrupted, 99 a threshold failed (or none held), 0 otherwise. */
export function exitCodeFor(report: LoadTestReport): number {
  if (report.interrupted) return EXIT_INTERRUPTED;
  return report.ok ? 0 : EXIT_THRESHOLD_FAILED;
}

function config(message: string, hint: string): HeadroomError {
  return new HeadroomError('LOADTEST_CONFIG', message, { hint });
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
