/**
 * k6's thresholds: parsed once at load (the grammar is in `threshold-grammar.ts`), in the CLI
 * form (`--threshold "http_req_duration: p(95)<300"`) and k6's options form (a list of strings
 * and `{ threshold, abortOnFail, delayAbortEval }`), and judged on a run's measurements.
 *
 * Nothing measured: k6 judges an empty Trend as 0 at the end of a test (so `p(95)<300` passes
 * with no request at all), an empty Rate as 0/0 (NaN, which fails every comparison but `!=`),
 * and skips empty metrics while the test runs. headroom gives Trend and Rate thresholds over an
 * empty view `value: undefined` and `ok: false` — a latency limit no request was measured
 * against has not held, and the usual cause is a tag filter that selects nothing — while a
 * runner judging `abortOnFail` mid-run skips undefined values, as k6 skips empty metrics.
 * Counters are defined on an empty view (`count` 0), as in k6.
 */
import { HeadroomError } from '../errors.ts';
import { parseDurationMs } from '../plan/units.ts';
import { formatCount, round } from '../report/format.ts';
import { failer, parseExpression, parseMetricKey, THRESHOLD_METRICS } from './threshold-grammar.ts';
import type { MetricsView, Threshold, ThresholdResult } from './types.ts';

export { THRESHOLD_METRICS, THRESHOLD_TAGS, type MetricType } from './threshold-grammar.ts';

/** Options of one threshold: where it was written, and k6's abort settings. */
export interface ThresholdOptions {
  /** Where it was written, for errors (`loadtests.thresholds.http_req_duration[0]`). */
  source: string;
  /** Stop the run as soon as it fails. */
  abortOnFail?: boolean;
  /** Judge `abortOnFail` only after this long into the run, ms. */
  delayAbortEvalMs?: number;
}

/** Parses one threshold: a k6 metric key (with an optional `{tag:value}` filter) and its expression. */
export function parseThreshold(
  metricKey: string,
  expr: string,
  options: ThresholdOptions,
): Threshold {
  return parseAt(metricKey, expr, options, { key: 0, expr: 0 });
}

function parseAt(
  metricKey: string,
  expr: string,
  options: ThresholdOptions,
  columns: { key: number; expr: number },
): Threshold {
  const lead = (text: string): number => text.length - text.trimStart().length;
  const { metric, tags } = parseMetricKey(
    metricKey.trim(),
    failer(options.source, columns.key + lead(metricKey)),
  );
  const parsed = parseExpression(
    expr.trim(),
    metric,
    failer(options.source, columns.expr + lead(expr)),
  );
  return {
    metric,
    tags,
    ...parsed,
    expr: expr.trim(),
    abortOnFail: options.abortOnFail ?? false,
    delayAbortEvalMs: options.delayAbortEvalMs ?? 0,
    source: options.source,
  };
}

/** Parses the CLI form `"http_req_duration: p(95)<300"` (metric key, colon, expression). */
export function parseThresholdArg(text: string, source: string): Threshold {
  const colon = separatorColon(text);
  const brace = text.indexOf('{');
  if (colon < 0 && brace >= 0 && !text.includes('}', brace)) {
    throw new HeadroomError('LOADTEST_CONFIG', `"${text}": the tag filter has no closing "}"`, {
      path: source,
      column: brace + 1,
      hint: 'write e.g. --threshold "http_req_duration{name:listTickets}: p(95)<300"',
    });
  }
  if (colon < 0 || text.slice(0, colon).trim() === '') {
    throw new HeadroomError('LOADTEST_CONFIG', `"${text}": expected "metric: expression"`, {
      path: source,
      column: 1,
      hint: 'name the metric before a colon, e.g. --threshold "http_req_duration: p(95)<300"',
    });
  }
  return parseAt(
    text.slice(0, colon),
    text.slice(colon + 1),
    { source },
    { key: 0, expr: colon + 1 },
  );
}

/** Index of the colon after the metric key: the first one outside a `{…}` tag filter, or −1. */
function separatorColon(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    else if (c === ':' && depth === 0) return i;
  }
  return -1;
}

/**
 * Parses k6's options form for one metric: one string, or a list of strings and
 * `{ threshold, abortOnFail, delayAbortEval }` objects (`delayAbortEval` a duration: `'10s'`,
 * or a bare number of seconds as everywhere in a plan). Errors name the entry: `source[1]`.
 */
export function parseThresholdSet(
  metricKey: string,
  entries: unknown,
  source: string,
): Threshold[] {
  if (typeof entries === 'string') return [parseThreshold(metricKey, entries, { source })];
  if (!Array.isArray(entries)) return [parseEntry(metricKey, entries, source)];
  return entries.map((entry, i) => parseEntry(metricKey, entry, `${source}[${i}]`));
}

const ENTRY_KEYS = ['threshold', 'abortOnFail', 'delayAbortEval'];
const ENTRY_HINT =
  "write e.g. 'p(95)<300' or { threshold: 'p(95)<300', abortOnFail: true, delayAbortEval: '10s' }";

function parseEntry(metricKey: string, entry: unknown, where: string): Threshold {
  if (typeof entry === 'string') return parseThreshold(metricKey, entry, { source: where });
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw configError(
      `a threshold is a string or an object, not ${JSON.stringify(entry)}`,
      where,
      ENTRY_HINT,
    );
  }
  const e = entry as Record<string, unknown>;
  const unknown = Object.keys(e).find((k) => !ENTRY_KEYS.includes(k));
  if (unknown !== undefined) {
    throw configError(
      `a threshold has no field "${unknown}"`,
      `${where}.${unknown}`,
      `its fields are ${ENTRY_KEYS.join(', ')}`,
    );
  }
  if (typeof e.threshold !== 'string') {
    throw configError('a threshold object needs `threshold`, the expression', where, ENTRY_HINT);
  }
  if (e.abortOnFail !== undefined && typeof e.abortOnFail !== 'boolean') {
    throw configError(
      `abortOnFail is true or false, not ${JSON.stringify(e.abortOnFail)}`,
      `${where}.abortOnFail`,
      'write abortOnFail: true',
    );
  }
  return parseThreshold(metricKey, e.threshold, {
    source: where,
    abortOnFail: e.abortOnFail === true,
    delayAbortEvalMs: delayMs(e.delayAbortEval, `${where}.delayAbortEval`),
  });
}

function delayMs(written: unknown, where: string): number {
  if (written === undefined) return 0;
  const ms =
    typeof written === 'string' || typeof written === 'number'
      ? parseDurationMs(written)
      : undefined;
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
    throw configError(
      `delayAbortEval ${JSON.stringify(written)} is not a duration`,
      where,
      "write e.g. delayAbortEval: '10s'",
    );
  }
  return ms;
}

function configError(message: string, path: string, hint: string): HeadroomError {
  return new HeadroomError('LOADTEST_CONFIG', message, { path, hint });
}

/** The measured left-hand side of a threshold in its k6 unit (ms, share, count, per second); undefined when nothing was measured. */
export function thresholdValue(t: Threshold, view: MetricsView): number | undefined {
  const tags = Object.keys(t.tags).length > 0 ? t.tags : undefined;
  switch (THRESHOLD_METRICS[t.metric]) {
    case 'trend':
      if (t.aggregation === 'avg') return view.meanMs(tags);
      if (t.aggregation === 'min') return view.minMs(tags);
      if (t.aggregation === 'max') return view.maxMs(tags);
      if (t.aggregation === 'med') return view.percentileMs(50, tags);
      return view.percentileMs(Number(t.aggregation.slice(2, -1)), tags);
    case 'rate': {
      const n = view.count(tags);
      return n > 0 ? view.failed(tags) / n : undefined;
    }
    case 'counter': {
      const count = t.metric === 'dropped_iterations' ? view.dropped : view.count(tags);
      if (t.aggregation === 'count') return count;
      return view.durationS > 0 ? count / view.durationS : undefined;
    }
  }
}

/** Judges every threshold on a view; a threshold with nothing to judge (value undefined) fails. */
export function evaluateThresholds(
  thresholds: readonly Threshold[],
  view: MetricsView,
): ThresholdResult[] {
  return thresholds.map((t) => {
    const value = thresholdValue(t, view);
    const ok = value !== undefined && holds(value, t.op, t.value);
    return value === undefined
      ? { metric: thresholdMetricKey(t), expr: t.expr, ok }
      : { metric: thresholdMetricKey(t), expr: t.expr, ok, value };
  });
}

/** A threshold as k6 writes it: `http_req_duration{name:listTickets}: p(95)<300`. */
export function formatThreshold(t: Threshold): string {
  return `${thresholdMetricKey(t)}: ${t.expr}`;
}

/** The metric key with its tag filter: `http_req_duration{name:listTickets}`. */
export function thresholdMetricKey(t: Threshold): string {
  const tags = Object.entries(t.tags);
  return tags.length === 0
    ? t.metric
    : `${t.metric}{${tags.map(([k, v]) => `${k}:${v}`).join(',')}}`;
}

/** A measured value for people, in the threshold's unit: `p(95)=412 ms`, `rate=0.034`, `rate=95.2/s`. */
export function formatThresholdValue(t: Threshold, value: number | undefined): string {
  if (value === undefined) return 'nothing measured';
  const type = THRESHOLD_METRICS[t.metric];
  const unit =
    type === 'trend' ? ' ms' : type === 'counter' && t.aggregation === 'rate' ? '/s' : '';
  // Thousands separators for large values; three significant decimals below 1 (0.035, 0.844).
  const shown = Math.abs(value) >= 1000 ? formatCount(round(value)) : String(round(value));
  return `${t.aggregation}=${shown}${unit}`;
}

function holds(value: number, op: Threshold['op'], limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
    case '===':
      // A measured value is a number, as in k6: strict and loose equality are the same.
      return value === limit;
    case '!=':
      return value !== limit;
  }
}
