/**
 * The options of `headroom loadtest` and what they describe: the executor or breakpoint search
 * (`parseMode`), the thresholds, the request of a `--url` run, and the parsers of rates,
 * durations, stages and counts, each failing with LOADTEST_CONFIG naming the option and what to
 * write. Pure: no I/O.
 */
import { HeadroomError } from '../errors.ts';
import { parseThresholdArg } from '../loadtest/thresholds.ts';
import type {
  BreakpointSpec,
  ExecutorSpec,
  RequestSpec,
  Stage,
  Threshold,
} from '../loadtest/types.ts';
import { parseDurationMs } from '../plan/units.ts';

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

/** What the live line counts the aim in. */
export function aimKindOf(mode: LoadMode): 'vus' | 'rate' {
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

/** A whole-number option of at least `min`; LOADTEST_CONFIG naming the option otherwise. */
export function parseCount(text: string, option: string, min: number): number {
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

/** The request of a `--url` run: method, headers, body and timeout from the options. */
export function parseRequest(o: LoadtestCliOptions, url: string): RequestSpec {
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

/** A LOADTEST_CONFIG error with what to write instead. */
export function config(message: string, hint: string): HeadroomError {
  return new HeadroomError('LOADTEST_CONFIG', message, { hint });
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
