/**
 * k6's threshold grammar (`metrics/thresholds_parser.go`), restricted to the metrics and tags
 * headroom measures; each mistake is reported at its column with what to write instead.
 *
 *   threshold   := metric-key ws* ":" ws* expression            (the CLI form, `--threshold`)
 *   metric-key  := metric [ "{" tag ":" value { "," tag ":" value } "}" ]
 *   metric      := "http_req_duration" | "iteration_duration"              (k6 Trend, ms)
 *                | "http_req_failed"                                        (k6 Rate, 0..1)
 *                | "http_reqs" | "iterations" | "dropped_iterations"         (k6 Counter)
 *   tag         := "name" | "status"                 (values may be quoted; spaces are ignored)
 *   expression  := aggregation ws* operator ws* number
 *   aggregation := "avg" | "min" | "med" | "max" | "p(" number ")"   (Trend; 0 <= N <= 100)
 *                | "rate"                                                       (Rate, Counter)
 *                | "count"                                                      (Counter)
 *   operator    := "<" | "<=" | ">" | ">=" | "==" | "===" | "!="
 *   number      := [ "+" | "-" ] digits [ "." digits ] [ exponent ]             (finite)
 *
 * Units are k6's: durations in milliseconds (`p(95)<300`), a Rate as a share (`rate<0.01`), a
 * Counter's `count` over the view and its `rate` per second.
 */
import { closest, distance } from 'fastest-levenshtein';
import { HeadroomError } from '../errors.ts';
import type { Threshold, ThresholdMetric } from './types.ts';

/** A k6 metric type: which aggregations a threshold on it may use. */
export type MetricType = 'trend' | 'rate' | 'counter';

/** Each k6 metric headroom measures, and its k6 type. */
export const THRESHOLD_METRICS: Readonly<Record<ThresholdMetric, MetricType>> = {
  dropped_iterations: 'counter',
  http_req_duration: 'trend',
  http_req_failed: 'rate',
  http_reqs: 'counter',
  iteration_duration: 'trend',
  iterations: 'counter',
};

/** The k6 tags a threshold's filter may select by (what `MetricsView` tells apart). */
export const THRESHOLD_TAGS: readonly string[] = ['name', 'status'];

const AGGREGATIONS: Record<MetricType, readonly string[]> = {
  trend: ['avg', 'min', 'med', 'max', 'p(N)'],
  rate: ['rate'],
  counter: ['count', 'rate'],
};

const TYPE_HINTS: Record<MetricType, (metric: string) => string> = {
  trend: (m) => `${m} is a k6 Trend of durations in milliseconds: write e.g. p(95)<300`,
  rate: (m) => `${m} is a k6 Rate, the share of failed requests (0..1): write e.g. rate<0.01`,
  counter: (m) =>
    `${m} is a k6 Counter, a count over the run or a rate per second: write e.g. rate>100`,
};

/** k6 built-in metrics headroom does not measure (a clearer error than "did you mean"). */
const K6_UNMEASURED = new Set([
  'checks',
  'data_received',
  'data_sent',
  'group_duration',
  'http_req_blocked',
  'http_req_connecting',
  'http_req_receiving',
  'http_req_sending',
  'http_req_tls_handshaking',
  'http_req_waiting',
  'vus',
  'vus_max',
]);

/** Words people write for an aggregation, and k6's name for it. */
const ALIASES: Record<string, string> = {
  average: 'avg',
  mean: 'avg',
  median: 'med',
  minimum: 'min',
  maximum: 'max',
  percentile: 'p(N)',
  ratio: 'rate',
  share: 'rate',
  total: 'count',
};

// Longest first, so `<=` is not read as `<` followed by `=`.
const OPERATORS: readonly Threshold['op'][] = ['===', '==', '!=', '<=', '>=', '<', '>'];
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/;

/** Reports an error at a 0-based index of the text a column offset applies to. */
export type Fail = (message: string, index: number, hint: string) => never;

/** An error reporter for text that starts at `columnOffset` (0-based) of what the user wrote. */
export function failer(source: string, columnOffset: number): Fail {
  return (message, index, hint) => {
    throw new HeadroomError('LOADTEST_CONFIG', message, {
      path: source,
      column: columnOffset + index + 1,
      hint,
    });
  };
}

/** Parses a metric key, `http_req_duration{name:listTickets}`: the metric and its tag filter. */
export function parseMetricKey(
  key: string,
  fail: Fail,
): { metric: ThresholdMetric; tags: Record<string, string> } {
  const start = key.length - key.trimStart().length;
  const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(key.slice(start))?.[0];
  if (name === undefined) {
    fail(
      `"${key}": expected a metric name`,
      start,
      `write one of ${Object.keys(THRESHOLD_METRICS).join(', ')}`,
    );
  }
  if (!(name in THRESHOLD_METRICS)) unknownMetric(name, start, fail);
  const metric = name as ThresholdMetric;
  let i = skipSpaces(key, start + name.length);
  if (i === key.length) return { metric, tags: {} };
  if (key[i] !== '{') {
    fail(
      `"${key}": unexpected "${key.slice(i)}" after ${metric}`,
      i,
      'a tag filter is written {name:listTickets}',
    );
  }
  const close = key.indexOf('}', i);
  if (close < 0) {
    fail(
      `"${key}": the tag filter has no closing "}"`,
      key.length,
      'write e.g. http_req_duration{name:listTickets}',
    );
  }
  const tags = parseTags(key, i + 1, close, metric, fail);
  i = skipSpaces(key, close + 1);
  if (i < key.length) {
    fail(
      `"${key}": unexpected "${key.slice(i)}" after the tag filter`,
      i,
      'write e.g. http_req_duration{name:listTickets}',
    );
  }
  return { metric, tags };
}

function unknownMetric(name: string, index: number, fail: Fail): never {
  const known = Object.keys(THRESHOLD_METRICS);
  const list = `headroom measures ${known.join(', ')}`;
  if (K6_UNMEASURED.has(name)) {
    fail(`"${name}" is a k6 metric headroom does not measure`, index, list);
  }
  const near = closest(name, known);
  const suggestion =
    distance(name, near) <= Math.max(2, Math.floor(name.length / 3))
      ? `did you mean ${near}? `
      : '';
  return fail(`"${name}" is not a metric headroom measures`, index, `${suggestion}${list}`);
}

function parseTags(
  key: string,
  from: number,
  to: number,
  metric: ThresholdMetric,
  fail: Fail,
): Record<string, string> {
  const body = key.slice(from, to);
  if (body.trim() === '') {
    fail(
      `"${key}": the tag filter is empty`,
      from,
      'write e.g. {name:listTickets}, or drop the braces',
    );
  }
  if (metric === 'dropped_iterations') {
    fail(
      `"${key}": dropped_iterations has no tags`,
      from,
      'drops are counted for the whole scenario: write dropped_iterations: count<1',
    );
  }
  const tags: Record<string, string> = {};
  let at = from;
  for (const part of body.split(',')) {
    const colon = part.indexOf(':');
    const tag = unquote(colon < 0 ? part : part.slice(0, colon));
    const value = colon < 0 ? '' : unquote(part.slice(colon + 1));
    if (colon < 0 || tag === '' || value === '') {
      fail(
        `"${key}": "${part.trim()}" is not a tag:value pair`,
        at,
        'write e.g. {name:listTickets} or {status:500}',
      );
    }
    if (!THRESHOLD_TAGS.includes(tag)) {
      fail(
        `"${key}": headroom filters by ${THRESHOLD_TAGS.join(' and ')}, not "${tag}"`,
        at,
        'write e.g. {name:listTickets}; for successful requests only, {status:200}',
      );
    }
    if (tag in tags) fail(`"${key}": the tag ${tag} is given twice`, at, 'give each tag once');
    if (tag === 'status' && !/^\d{1,3}$/.test(value)) {
      fail(
        `"${key}": status "${value}" is not an HTTP status`,
        at,
        'write e.g. {status:500} (0: no response)',
      );
    }
    tags[tag] = value;
    at += part.length + 1;
  }
  return tags;
}

function unquote(text: string): string {
  return text
    .trim()
    .replace(/^(["'])(.*)\1$/, '$2')
    .trim();
}

function skipSpaces(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

/** The aggregation, operator and value of an expression, checked against the metric's type. */
export function parseExpression(
  expr: string,
  metric: ThresholdMetric,
  fail: Fail,
): Pick<Threshold, 'aggregation' | 'op' | 'value'> {
  const type = THRESHOLD_METRICS[metric];
  let i = skipSpaces(expr, 0);
  if (i === expr.length) fail('the threshold expression is empty', i, TYPE_HINTS[type](metric));
  const agg = parseAggregation(expr, i, metric, fail);
  i = skipSpaces(expr, agg.end);
  const op = OPERATORS.find((o) => expr.startsWith(o, i));
  if (op === undefined) {
    const hint = expr[i] === '=' ? 'write == (or <=, >=)' : `write e.g. ${agg.aggregation}<300`;
    fail(
      `"${expr}": expected an operator (<, <=, >, >=, ==, ===, !=) after "${agg.aggregation}"`,
      i,
      hint,
    );
  }
  i = skipSpaces(expr, i + op.length);
  return { aggregation: agg.aggregation, op, value: parseValue(expr, i, op, type, fail) };
}

function parseAggregation(
  expr: string,
  at: number,
  metric: ThresholdMetric,
  fail: Fail,
): { aggregation: string; end: number } {
  const type = THRESHOLD_METRICS[metric];
  const allowed = AGGREGATIONS[type];
  const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(expr.slice(at))?.[0] ?? '';
  const known = ['avg', 'min', 'med', 'max', 'p', 'rate', 'count', 'value'];
  if (!known.includes(word)) {
    const what = word === '' ? 'expected an aggregation' : `unknown aggregation "${word}"`;
    fail(`"${expr}": ${what}`, at, aggregationHint(word, metric));
  }
  const kind = word === 'p' ? 'p(N)' : word;
  if (!allowed.includes(kind)) {
    fail(`"${expr}": ${metric} has only ${listed(allowed)}`, at, TYPE_HINTS[type](metric));
  }
  if (word !== 'p') return { aggregation: word, end: at + word.length };
  return parsePercentile(expr, at + 1, fail);
}

/** What to write instead of an unknown aggregation: k6's name for it, or the nearest one. */
function aggregationHint(word: string, metric: ThresholdMetric): string {
  const allowed = AGGREGATIONS[THRESHOLD_METRICS[metric]];
  const has = `${metric} has ${allowed.join(', ')}`;
  if (/^p\d/.test(word)) return `write p(${word.slice(1)}), as k6 does`;
  const alias = ALIASES[word.toLowerCase()];
  if (alias !== undefined && allowed.includes(alias)) {
    return `k6 writes ${alias.replace('(N)', '(95)')}; ${has}`;
  }
  if (word === '') return has;
  return `did you mean ${closest(
    word,
    allowed.map((a) => a.replace('(N)', '')),
  )}? ${has}`;
}

function parsePercentile(
  expr: string,
  at: number,
  fail: Fail,
): { aggregation: string; end: number } {
  const hint = 'write a percentile between 0 and 100, e.g. p(95) or p(99.9)';
  let i = skipSpaces(expr, at);
  if (expr[i] !== '(') fail(`"${expr}": expected "(" after p`, i, hint);
  i = skipSpaces(expr, i + 1);
  const digits = NUMBER.exec(expr.slice(i))?.[0];
  if (digits === undefined) fail(`"${expr}": expected a number inside p( )`, i, hint);
  const n = Number(digits);
  if (!(n >= 0 && n <= 100)) {
    fail(`"${expr}": a percentile is between 0 and 100, not ${digits}`, i, hint);
  }
  i = skipSpaces(expr, i + digits.length);
  if (expr[i] !== ')') fail(`"${expr}": expected ")" after p(${digits}`, i, hint);
  return { aggregation: `p(${n})`, end: i + 1 };
}

function parseValue(expr: string, at: number, op: string, type: MetricType, fail: Fail): number {
  const text = NUMBER.exec(expr.slice(at))?.[0];
  if (text === undefined) {
    fail(
      `"${expr}": expected a number after "${op}"`,
      at,
      type === 'trend'
        ? 'durations are milliseconds, as in k6: p(95)<300'
        : 'write a plain number, e.g. rate<0.01',
    );
  }
  const value = Number(text);
  if (!Number.isFinite(value)) {
    fail(`"${expr}": ${text} is not a finite number`, at, 'write a plain number');
  }
  const rest = skipSpaces(expr, at + text.length);
  if (rest < expr.length) {
    const unit = /^(ms|s|m|%)\s*$/i.test(expr.slice(rest));
    const hint = !unit
      ? 'an expression ends with its number'
      : type === 'trend'
        ? `durations are plain milliseconds, as in k6: write ${text} for ${text} ms`
        : 'write a plain number: a rate is a share, 0.01 for 1 %';
    fail(`"${expr}": unexpected "${expr.slice(rest).trim()}" after ${text}`, rest, hint);
  }
  return value;
}

function listed(items: readonly string[]): string {
  return items.length === 1 ? items[0]! : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}
