/**
 * `headroom loadtest --url U (--rate R --duration D | --vus N --duration D | --stages S with
 * --rate or --vus | --breakpoint [...]) [--threshold "metric: expr"]... [--json]` runs a k6-style
 * load test against a service on this machine and prints the summary (one `LoadTestReport` with
 * `--json`). `--plan F --scenario NAME` runs a plan's scenario instead (`loadtest-plan.ts`, given
 * to `registerLoadtest` by `main.ts`, so that file can share this one's helpers without a cycle).
 *
 * Exit codes, as k6: 0 every threshold held, 99 one failed (also when `--abort-on-fail` stopped
 * the run), 105 stopped by Ctrl-C or SIGTERM; 3 for a usage or configuration mistake
 * (LOADTEST_CONFIG, LOADTEST_REMOTE). The options are parsed in `loadtest-options.ts`.
 */
import type { Command } from 'commander';
import { assertLoopbackTarget, parseTargetUrl } from '../loadtest/guard.ts';
import { HttpTarget } from '../loadtest/http-target.ts';
import { liveLine } from '../loadtest/live-line.ts';
import type { RunMetrics } from '../loadtest/metrics.ts';
import { runBreakpoint, runExecutor, type RunOptions } from '../loadtest/runner.ts';
import { renderSummary, requestBreakdown, type RequestBreakdown } from '../loadtest/summary.ts';
import type { LoadTestReport } from '../loadtest/types.ts';
import {
  aimKindOf,
  config,
  connectionsFor,
  parseMode,
  parseRequest,
  parseThresholds,
  type LoadtestCliOptions,
} from './loadtest-options.ts';
import { printJson } from './output.ts';

/** k6's exit code when a threshold failed. */
export const EXIT_THRESHOLD_FAILED = 99;
/** k6's exit code when the test was stopped from outside (Ctrl-C, SIGTERM). */
export const EXIT_INTERRUPTED = 105;

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
