/**
 * `headroom simulate --trace F --service-time exp:2s --slo "wait_p95<=30s" --policy P
 * [--startup 60s] [--interval 15s] [--lag 15s] [--min 1] [--max 100] [--seed 1] [--json]`
 * replays a trace against a scaling policy in the simulator and prints the summary;
 * `--compare hpa,step,…` runs several policies on the same jobs and prints a table (a JSON
 * array with `--json`); `--chart out.svg` writes the chart. The file is read here; the
 * simulation itself (`src/simulate/`) is pure.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import type { WaitTarget } from '../autoscale/index.ts';
import { HeadroomError } from '../errors.ts';
import { parseDurationMs } from '../plan/units.ts';
import { parseWaitObjective } from '../plan/wait-objective.ts';
import {
  comparePolicies,
  formatObjective,
  formatServiceTime,
  parseServiceTime,
  parseTrace,
  prepareJobs,
  renderChart,
  renderComparison,
  renderSummary,
  runPolicy,
  type RunResult,
  type RunSettings,
  type ServiceSpec,
  type Trace,
  type TraceFormat,
  type TraceRow,
} from '../simulate/index.ts';
import { printJson } from './output.ts';
import { progress } from './progress.ts';

/** The options as commander gives them. */
interface SimulateOptions {
  trace: string;
  serviceTime: string;
  slo: string;
  policy?: string;
  compare?: string;
  startup: string;
  interval: string;
  lag?: string;
  min: string;
  max: string;
  seed: string;
  initial?: string;
  hpaTarget?: string;
  traceFormat: string;
  chart?: string;
  json?: boolean;
}

/** Registers `simulate`. */
export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('replay an arrival trace against scaling policies in a simulator')
    .requiredOption('--trace <file>', 'CSV: time,count per bucket, or one row per arrival')
    .requiredOption('--service-time <dist>', 'const:2s, exp:2s, lognormal:4s,0.8 or column:<name>')
    .requiredOption('--slo <objective>', 'wait objective, e.g. "wait_p95 <= 30s"')
    .option('--policy <name>', 'hpa, step, target-latency, predictive, oracle or fixed:N')
    .option('--compare <names>', 'several policies on the same jobs, e.g. hpa,step,oracle')
    .option('--startup <duration>', 'worker start-up delay (the oracle starts at once)', '60s')
    .option('--interval <duration>', 'time between policy decisions', '15s')
    .option('--lag <duration>', 'age of the metrics a decision sees (default: one interval)')
    .option('--min <n>', 'fewest replicas', '1')
    .option('--max <n>', 'most replicas', '100')
    .option('--seed <n>', 'random seed: the same seed gives the same jobs', '1')
    .option('--initial <n>', 'replicas at the start (default: Erlang C for the first minute)')
    .option(
      '--hpa-target <n>',
      'hpa: jobs in the system per replica (default: 1 + allowed mean wait / service time)',
    )
    .option('--trace-format <format>', 'auto, counts or arrivals', 'auto')
    .option('--chart <file>', 'write an SVG chart of load, replicas and waits')
    .option('--json', 'print one JSON document')
    .action((options: SimulateOptions) => simulateCommand(options));
}

function simulateCommand(o: SimulateOptions): void {
  if ((o.policy === undefined) === (o.compare === undefined))
    throw new HeadroomError('USAGE', 'simulate needs exactly one of --policy or --compare', {
      hint: 'e.g. --policy target-latency, or --compare hpa,step,target-latency,predictive,oracle',
    });
  const slo = parseSlo(o.slo);
  const service = parseServiceTime(o.serviceTime);
  const settings = parseSettings(o, slo);
  const seed = integerOption(o.seed, '--seed', -(2 ** 31), 2 ** 31 - 1);
  const trace = readTraceFile(o.trace, o.traceFormat, service);
  const jobs = prepareJobs(trace, service, seed);
  const names = o.compare !== undefined ? parseCompare(o.compare) : [o.policy!];
  const results = runAll(jobs, settings, names, o.compare !== undefined);
  const context = {
    trace: o.trace,
    service: formatServiceTime(service),
    slo: formatObjective(slo),
    settings,
    jobs: jobs.arrivals.length,
  };
  if (o.chart !== undefined) writeChart(o.chart, results, context.slo, slo, o.trace);
  if (o.json) {
    printJson(o.compare !== undefined ? results.map((r) => r.summary) : results[0]!.summary);
    return;
  }
  const text =
    o.compare !== undefined
      ? renderComparison(
          results.map((r) => r.summary),
          context,
        )
      : renderSummary(results[0]!.summary, context);
  process.stdout.write(`${text}\n${o.chart !== undefined ? `chart written to ${o.chart}\n` : ''}`);
}

function runAll(
  jobs: ReturnType<typeof prepareJobs>,
  settings: RunSettings,
  names: string[],
  compare: boolean,
): RunResult[] {
  const bar = progress(compare ? `simulating ${names.length} policies` : `simulating ${names[0]}`);
  try {
    if (!compare)
      return [runPolicy(jobs, settings, names[0]!, (f) => bar.update(Math.round(f * 100), 100))];
    return comparePolicies(jobs, settings, names, (i, runs, f) =>
      bar.update(i * 100 + Math.round(f * 100), runs * 100),
    );
  } finally {
    bar.done();
  }
}

function parseSlo(text: string): WaitTarget {
  const slo = parseWaitObjective(text);
  if (!slo)
    throw new HeadroomError('USAGE', `--slo "${text}" is not a wait objective`, {
      hint: 'write e.g. --slo "wait_p95 <= 30s" or "wait_mean <= 5s"',
    });
  return slo;
}

function parseSettings(o: SimulateOptions, slo: WaitTarget): RunSettings {
  const min = integerOption(o.min, '--min', 0, 100_000);
  const max = integerOption(o.max, '--max', 1, 100_000);
  if (max < min)
    throw new HeadroomError('USAGE', `--max ${max} is below --min ${min}`, {
      hint: 'give --max at least --min',
    });
  const intervalMs = durationOption(o.interval, '--interval', false);
  const settings: RunSettings = {
    slo,
    min,
    max,
    startupMs: durationOption(o.startup, '--startup', true),
    intervalMs,
    lagMs: o.lag === undefined ? intervalMs : durationOption(o.lag, '--lag', true),
  };
  if (o.initial !== undefined)
    settings.initialReplicas = integerOption(o.initial, '--initial', min, max);
  if (o.hpaTarget !== undefined) {
    const target = Number(o.hpaTarget);
    if (!(Number.isFinite(target) && target > 0))
      throw new HeadroomError('USAGE', `--hpa-target "${o.hpaTarget}" is not a number > 0`, {
        hint: 'give the jobs (waiting + in service) per replica, e.g. --hpa-target 3',
      });
    settings.hpaTarget = target;
  }
  return settings;
}

function parseCompare(text: string): string[] {
  const names = text.split(',').map((s) => s.trim());
  if (names.some((n) => n === ''))
    throw new HeadroomError('USAGE', `--compare "${text}" has an empty policy name`, {
      hint: 'separate names with commas: --compare hpa,step,oracle',
    });
  return names;
}

function integerOption(text: string, option: string, low: number, high: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < low || n > high)
    throw new HeadroomError(
      'USAGE',
      `${option} "${text}" is not a whole number from ${low} to ${high}`,
      {
        hint: `write e.g. ${option} ${Math.max(low, 1)}`,
      },
    );
  return n;
}

function durationOption(text: string, option: string, zeroOk: boolean): number {
  const ms = parseDurationMs(text);
  if (ms === undefined || ms < 0 || (!zeroOk && ms === 0))
    throw new HeadroomError(
      'USAGE',
      `${option} "${text}" is not a duration${zeroOk ? '' : ' > 0'}`,
      {
        hint: `write e.g. ${option} 15s`,
      },
    );
  return ms;
}

/** Reads and parses a trace file; every problem names the file (and line). */
export function readTraceFile(file: string, format: string, service: ServiceSpec): Trace {
  if (!['auto', 'counts', 'arrivals'].includes(format))
    throw new HeadroomError('USAGE', `--trace-format "${format}" is not a trace format`, {
      hint: 'choose auto, counts or arrivals',
    });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new HeadroomError(
      'CSV_INVALID',
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      {
        file,
        hint: 'check the --trace path',
        cause: err,
      },
    );
  }
  let rows: TraceRow[];
  try {
    const records = parse(text, {
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      comment: '#',
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    rows = records.map((r) => ({ line: r.info.lines, cells: r.record }));
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new HeadroomError('CSV_INVALID', e.message, {
      file,
      line: e.lines,
      hint: 'check the CSV syntax at that line',
    });
  }
  return parseTrace(rows, {
    format: format as TraceFormat,
    source: file,
    durationColumns: service.kind === 'column' ? [service.column] : [],
  });
}

function writeChart(
  file: string,
  results: RunResult[],
  label: string,
  slo: WaitTarget,
  trace: string,
): void {
  const svg = renderChart({
    title: `headroom simulate: ${basename(trace)}`,
    slo: { label, targetSec: 'quantile' in slo ? slo.waitSec : slo.meanWaitSec },
    runs: results.map((r) => ({ policy: r.summary.policy, timeline: r.timeline })),
  });
  try {
    writeFileSync(file, svg);
  } catch (err) {
    throw new HeadroomError(
      'USAGE',
      `--chart ${file}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      {
        hint: 'check that the folder exists and is writable',
        cause: err,
      },
    );
  }
}
