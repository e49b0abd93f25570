/**
 * Queueing questions from the command line:
 *   `headroom erlang --rate 6000/min --service-time 2s [--slo "wait_p95 <= 30s"] [--servers N]`
 *     — Erlang C: the workers a wait objective needs, or how a pool of N behaves and the most
 *     it can take;
 *   `headroom usl --csv F [--n-column C] [--throughput-column C]` — fits the Universal
 *     Scalability Law to load-test results and says where throughput peaks.
 */
import type { Command } from 'commander';
import {
  fitUsl,
  maxArrivalRateForServers,
  mmc,
  serversForWaitSlo,
  USL_MIN_POINTS,
  uslPeak,
  uslThroughput,
} from '../capacity/queueing/index.ts';
import { HeadroomError } from '../errors.ts';
import { compileExpression } from '../plan/expression.ts';
import { defaultUnits, parseDurationMs, toQuantity } from '../plan/units.ts';
import { parseWaitObjective, type WaitObjective } from '../plan/wait-objective.ts';
import { readColumnSeries } from '../runtime/column-csv.ts';
import { printJson, table } from './output.ts';

/** Registers `erlang` and `usl`. */
export function registerQueueing(program: Command): void {
  program
    .command('erlang')
    .description('Erlang C for a worker pool: replicas for a wait objective, or a pool’s waits')
    .requiredOption('--rate <rate>', 'arrival rate, e.g. 100/s or 6000/min')
    .requiredOption('--service-time <duration>', 'mean time one job takes on one worker, e.g. 2s')
    .option('--slo <objective>', 'wait objective, e.g. "wait_p95 <= 30s"')
    .option('--servers <n>', 'a pool size to judge')
    .option('--json', 'print one JSON document')
    .action(
      (options: {
        rate: string;
        serviceTime: string;
        slo?: string;
        servers?: string;
        json?: boolean;
      }) => {
        const doc = erlangAnswer(options);
        if (options.json) printJson(doc);
        else process.stdout.write(`${renderErlang(doc)}\n`);
      },
    );
  program
    .command('usl')
    .description('fit the Universal Scalability Law to load-test results (concurrency, throughput)')
    .requiredOption('--csv <file>', 'a CSV with a concurrency column and a throughput column')
    .option('--n-column <name>', 'concurrency column (default: the first)')
    .option('--throughput-column <name>', 'throughput column (default: the second)')
    .option('--json', 'print one JSON document')
    .action(
      (options: { csv: string; nColumn?: string; throughputColumn?: string; json?: boolean }) => {
        const doc = uslAnswer(options);
        if (options.json) printJson(doc);
        else process.stdout.write(`${renderUsl(doc)}\n`);
      },
    );
}

/** The `erlang` answer. */
interface ErlangAnswer {
  rate_per_second: number;
  service_time_seconds: number;
  offered_load_erlangs: number;
  slo?: string;
  servers_for_slo?: number | null;
  pool?: {
    servers: number;
    utilization: number;
    stable: boolean;
    probability_of_wait: number;
    mean_wait_seconds: number;
    p95_wait_seconds: number;
    max_rate_per_second_for_slo?: number;
  };
}

function erlangAnswer(o: {
  rate: string;
  serviceTime: string;
  slo?: string;
  servers?: string;
}): ErlangAnswer {
  const rate = parseRate(o.rate);
  const ms = parseDurationMs(o.serviceTime);
  if (ms === undefined || ms <= 0)
    throw new HeadroomError('USAGE', `--service-time "${o.serviceTime}" is not a duration`, {
      hint: 'write e.g. --service-time 2s',
    });
  const serviceTimeSec = ms / 1000;
  let slo: WaitObjective | undefined;
  if (o.slo !== undefined) {
    slo = parseWaitObjective(o.slo);
    if (!slo)
      throw new HeadroomError('USAGE', `--slo "${o.slo}" is not a wait objective`, {
        hint: 'write e.g. --slo "wait_p95 <= 30s" or "wait_mean <= 5s"',
      });
  }
  if (!slo && o.servers === undefined)
    throw new HeadroomError('USAGE', 'erlang needs --slo or --servers', {
      hint: 'e.g. --slo "wait_p95 <= 30s" for the replicas it needs',
    });
  const doc: ErlangAnswer = {
    rate_per_second: rate,
    service_time_seconds: serviceTimeSec,
    offered_load_erlangs: rate * serviceTimeSec,
    slo: o.slo,
  };
  if (slo) {
    const n = serversForWaitSlo({ arrivalRatePerSec: rate, serviceTimeSec, slo });
    doc.servers_for_slo = Number.isFinite(n) ? n : null;
  }
  if (o.servers !== undefined) {
    const servers = Number(o.servers);
    if (!Number.isInteger(servers) || servers < 1)
      throw new HeadroomError(
        'USAGE',
        `--servers "${o.servers}" is not a whole number of workers`,
        { hint: 'write e.g. --servers 5' },
      );
    const q = mmc({ arrivalRatePerSec: rate, serviceTimeSec, servers });
    doc.pool = {
      servers,
      utilization: q.utilization,
      stable: q.stable,
      probability_of_wait: q.probabilityOfWait,
      mean_wait_seconds: q.meanWaitSec,
      p95_wait_seconds: q.waitQuantileSec(0.95),
      max_rate_per_second_for_slo: slo
        ? maxArrivalRateForServers({ servers, serviceTimeSec, slo })
        : undefined,
    };
  }
  return doc;
}

/** `100/s`, `6000/min`, `2 msg/s` → per second. */
function parseRate(text: string): number {
  try {
    const units = defaultUnits();
    const q = toQuantity(units, compileExpression(text, units, new Set()).evaluate({}));
    if (q.unit === '1/s' && q.value > 0) return q.value;
  } catch {
    // Reported below.
  }
  throw new HeadroomError('USAGE', `--rate "${text}" is not a rate`, {
    hint: 'write e.g. --rate 100/s or --rate 6000/min',
  });
}

function renderErlang(d: ErlangAnswer): string {
  const lines = [
    `${fmt(d.rate_per_second)}/s × ${fmt(d.service_time_seconds)} s = ${fmt(d.offered_load_erlangs)} erlangs of work`,
  ];
  if (d.slo !== undefined)
    lines.push(
      d.servers_for_slo === null
        ? `no pool size meets ${d.slo}`
        : `${d.slo}: ${d.servers_for_slo} workers`,
    );
  if (d.pool) {
    const p = d.pool;
    lines.push(
      p.stable
        ? `${p.servers} workers: ${fmt(p.utilization * 100)} % busy, ${fmt(p.probability_of_wait * 100)} % of jobs wait, mean wait ${fmt(p.mean_wait_seconds)} s, p95 wait ${fmt(p.p95_wait_seconds)} s`
        : `${p.servers} workers cannot keep up: the queue grows without bound`,
    );
    if (p.max_rate_per_second_for_slo !== undefined)
      lines.push(
        `${p.servers} workers keep ${d.slo} up to ${fmt(p.max_rate_per_second_for_slo)}/s`,
      );
  }
  return lines.join('\n');
}

/** The `usl` answer. */
interface UslAnswer {
  lambda: number;
  sigma: number;
  kappa: number;
  r_squared: number;
  peak: { n: number; throughput: number };
  points: { n: number; throughput: number; fitted: number }[];
}

function uslAnswer(o: { csv: string; nColumn?: string; throughputColumn?: string }): UslAnswer {
  const { points } = readColumnSeries(o.csv, o.nColumn, o.throughputColumn, { numericTime: true });
  const usable = points
    .filter((p) => Number.isFinite(p.v) && p.t > 0)
    .map((p) => ({ n: p.t, throughput: p.v }));
  if (usable.length < USL_MIN_POINTS)
    throw new HeadroomError(
      'CSV_INVALID',
      `the USL needs at least ${USL_MIN_POINTS} measurements; ${o.csv} has ${usable.length}`,
      {
        file: o.csv,
        hint: 'run the load test at more concurrency levels (1, 2, 4, 8, 16, 32, …)',
      },
    );
  const fitResult = fitUsl(usable);
  const { lambda, sigma, kappa } = fitResult.params;
  return {
    lambda,
    sigma,
    kappa,
    r_squared: fitResult.rSquared,
    peak: uslPeak(fitResult.params),
    points: usable.map((p) => ({ ...p, fitted: uslThroughput(fitResult.params, p.n) })),
  };
}

function renderUsl(d: UslAnswer): string {
  return [
    `λ ${fmt(d.lambda)} per unit, σ (contention) ${d.sigma.toPrecision(3)}, κ (coherency) ${d.kappa.toPrecision(3)}, R² ${d.r_squared.toFixed(3)}`,
    Number.isFinite(d.peak.n)
      ? `throughput peaks at ${fmt(d.peak.throughput)} with concurrency ${fmt(d.peak.n)}; beyond it, more concurrency lowers throughput`
      : 'no peak: throughput keeps rising with concurrency (κ = 0)',
    '',
    table(
      ['concurrency', 'measured', 'fitted'],
      d.points.map((p) => [fmt(p.n), fmt(p.throughput), fmt(p.fitted)]),
    ),
  ].join('\n');
}

function fmt(v: number): string {
  return Number(v.toPrecision(4)).toLocaleString('en-US');
}
