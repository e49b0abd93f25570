/**
 * Prometheus's test series notation, exactly as `promtool test rules` reads `input_series`
 * values, so one string can feed both our engines and promtool:
 *
 *     values := item (whitespace item)*
 *     item   := "_"                 one missing sample
 *             | "_x" n              n missing samples
 *             | v                   one sample
 *             | v "x" n             n+1 samples of v
 *             | v ("+"|"-") b "x" n n+1 samples v, v+b, …, v+n·b (added up step by step)
 *     v      := ["+"|"-"] number | "stale"
 *
 * Numbers as PromQL lexes them in series: decimal, `.5`, `1.`, exponents, `Inf`/`NaN` (any
 * case, never followed by `x`), and — a Go quirk kept on purpose — a leading 0 makes an
 * integer octal (`010` is 8). Repetition counts are plain decimal. `stale` is a staleness
 * marker: the series is absent from that step until its next sample.
 */
import type { Labels } from '../sources/source.ts';

/** One step of a series: a value, `undefined` for no sample, or a staleness marker. */
export type SeriesStep = number | 'stale' | undefined;

/** Largest total number of steps accepted (promtool has no limit; this guards memory). */
export const MAX_SERIES_STEPS = 10_000_000;

type TokenType = 'space' | 'add' | 'sub' | 'times' | 'blank' | 'number' | 'ident';

interface Token {
  type: TokenType;
  text: string;
  /** 1-based column of the token's first character. */
  column: number;
}

const SPACE = /[ \t\r\n]/;
const DIGIT = /[0-9]/;
const ALPHANUMERIC = /[\p{L}\p{Nd}_]/u;
const ALPHA = /[\p{L}_]/u;

function failAt(text: string, column: number, message: string): never {
  throw new SyntaxError(`series ${JSON.stringify(text)} at column ${column}: ${message}`);
}

// Mirrors PromQL's lexer in series mode: hexadecimal is off, `x` always means "times".
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  const at = (i: number): string => text[i] ?? '';
  while (pos < text.length) {
    const start = pos;
    const c = at(pos);
    const single: Record<string, TokenType> = { '+': 'add', '-': 'sub', x: 'times', _: 'blank' };
    if (SPACE.test(c)) {
      while (SPACE.test(at(pos))) pos++;
      tokens.push({ type: 'space', text: text.slice(start, pos), column: start + 1 });
      continue;
    }
    if (single[c] !== undefined) {
      tokens.push({ type: single[c], text: c, column: start + 1 });
      pos++;
    } else if (DIGIT.test(c) || (c === '.' && DIGIT.test(at(pos + 1)))) {
      pos = scanNumber(text, pos);
      tokens.push({ type: 'number', text: text.slice(start, pos), column: start + 1 });
    } else if (ALPHA.test(c)) {
      while (ALPHANUMERIC.test(at(pos)) || at(pos) === ':') pos++;
      tokens.push({ type: 'ident', text: text.slice(start, pos), column: start + 1 });
    } else {
      failAt(text, start + 1, `unexpected character ${JSON.stringify(c)}`);
    }
  }
  return tokens;
}

// Digits, optional fraction, optional exponent; the next character must not be alphanumeric
// unless it is the `x` of a repetition.
function scanNumber(text: string, start: number): number {
  let pos = start;
  const at = (i: number): string => text[i] ?? '';
  while (DIGIT.test(at(pos))) pos++;
  if (at(pos) === '.') {
    pos++;
    while (DIGIT.test(at(pos))) pos++;
  }
  if (at(pos) === 'e' || at(pos) === 'E') {
    pos++;
    if (at(pos) === '+' || at(pos) === '-') pos++;
    while (DIGIT.test(at(pos))) pos++;
  }
  const next = at(pos);
  if (next !== 'x' && ALPHANUMERIC.test(next)) {
    failAt(text, start + 1, `bad number syntax ${JSON.stringify(text.slice(start, pos + 1))}`);
  }
  return pos;
}

const INT64_MAX = 2n ** 63n - 1n;

// Go's strconv.ParseInt(s, 0, 64) first (so a leading 0 means octal), then ParseFloat.
function numberValue(text: string, token: Token): number {
  const lower = token.text.toLowerCase();
  if (token.type === 'ident') {
    if (lower === 'inf') return Infinity;
    if (lower === 'nan') return NaN;
    failAt(text, token.column, `expected a number or "stale", got ${JSON.stringify(token.text)}`);
  }
  if (/^0[0-7]+$/.test(token.text)) {
    const octal = BigInt(`0o${token.text.slice(1)}`);
    if (octal <= INT64_MAX) return Number(octal);
  }
  const value = Number(token.text);
  if (Number.isNaN(value))
    failAt(text, token.column, `invalid number ${JSON.stringify(token.text)}`);
  if (!Number.isFinite(value))
    failAt(text, token.column, `number out of range ${JSON.stringify(token.text)}`);
  return value;
}

const STALE_NAN = 'stale';

/** A cursor over the tokens of one item (the tokens between two whitespace runs). */
class Item {
  private index = 0;
  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  peek(): Token | undefined {
    return this.tokens[this.index];
  }

  take(type: TokenType, what: string): Token {
    const token = this.tokens[this.index];
    if (token?.type !== type) this.unexpected(what);
    this.index++;
    return token!;
  }

  unexpected(what: string): never {
    const token = this.tokens[this.index];
    const last = this.tokens[this.tokens.length - 1]!;
    const column = token?.column ?? last.column + last.text.length;
    const found = token === undefined ? 'end of item' : JSON.stringify(token.text);
    return failAt(this.text, column, `expected ${what}, found ${found}`);
  }

  done(): boolean {
    return this.index >= this.tokens.length;
  }

  // Repetition count: Go's strconv.ParseUint(s, 10, 64), plain decimal digits only.
  count(): number {
    const token = this.take('number', 'a repetition count');
    if (!/^\d+$/.test(token.text) || BigInt(token.text) > 2n ** 64n - 1n) {
      failAt(this.text, token.column, `invalid repetition ${JSON.stringify(token.text)}`);
    }
    const n = Number(token.text);
    if (n > MAX_SERIES_STEPS) failAt(this.text, token.column, `too many steps (${token.text})`);
    return n;
  }

  // A signed or unsigned number, or "stale".
  value(): number | typeof STALE_NAN {
    const token = this.peek();
    if (token?.type === 'ident' && token.text === STALE_NAN) {
      this.index++;
      return STALE_NAN;
    }
    if (token?.type === 'add' || token?.type === 'sub') {
      this.index++;
      return token.type === 'sub' ? -this.unsigned() : this.unsigned();
    }
    return this.unsigned();
  }

  unsigned(): number {
    const token = this.peek();
    if (token?.type !== 'number' && token?.type !== 'ident') this.unexpected('a number or "stale"');
    this.index++;
    return numberValue(this.text, token!);
  }
}

function expandItem(item: Item, out: SeriesStep[]): void {
  if (item.peek()?.type === 'blank') {
    item.take('blank', '"_"');
    const n = item.done() ? 1 : (item.take('times', '"x"'), item.count());
    for (let i = 0; i < n; i++) out.push(undefined);
    return;
  }
  const first = item.value();
  if (item.done()) {
    out.push(first);
    return;
  }
  const next = item.peek()!;
  if (next.type === 'times') {
    item.take('times', '"x"');
    const n = item.count();
    for (let i = 0; i <= n; i++) out.push(first);
  } else if (next.type === 'add' || next.type === 'sub') {
    item.take(next.type, '"+" or "-"');
    const step = next.type === 'sub' ? -item.unsigned() : item.unsigned();
    item.take('times', '"x"');
    const n = item.count();
    // A stale marker plus a number is an ordinary NaN in Go; accumulate like Go does.
    let value = first === STALE_NAN ? NaN : first;
    out.push(first);
    for (let i = 1; i <= n; i++) out.push((value += step));
  } else {
    item.unexpected('"x", "+" or "-"');
  }
  if (!item.done()) item.unexpected('whitespace');
}

/** Expands series notation into one step per interval, keeping staleness markers apart. */
export function parseSeriesSteps(text: string): SeriesStep[] {
  if (typeof text !== 'string') throw new TypeError('series notation must be a string');
  const out: SeriesStep[] = [];
  let group: Token[] = [];
  for (const token of [...tokenize(text), { type: 'space', text: '', column: 0 } as Token]) {
    if (token.type !== 'space') {
      group.push(token);
      continue;
    }
    if (group.length > 0) expandItem(new Item(text, group), out);
    if (out.length > MAX_SERIES_STEPS)
      throw new SyntaxError(`series has more than ${MAX_SERIES_STEPS} steps`);
    group = [];
  }
  return out;
}

/** Expands series notation into one value per step; missing samples and `stale` are undefined. */
export function parseSeries(text: string): (number | undefined)[] {
  return parseSeriesSteps(text).map((step) => (step === STALE_NAN ? undefined : step));
}

/** How PromQL's instant queries see a series. */
export interface LookbackOptions {
  /** Time between steps, in ms (promtool's `interval`). */
  intervalMs: number;
  /** How far back a query looks for the latest sample, in ms: Prometheus's 5 minutes by default. */
  lookbackMs?: number;
  /** Number of steps to return (may exceed the series, which then ages out); default: all. */
  length?: number;
}

/**
 * The value an instant query sees at each step: the latest sample at most `lookbackMs` old
 * (inclusive, as in Prometheus 2.x), none after a staleness marker. This is what promtool's
 * rules see for `_` gaps, which therefore do not empty a vector for the first 5 minutes.
 */
export function withLookback(
  steps: readonly SeriesStep[],
  options: LookbackOptions,
): (number | undefined)[] {
  const lookbackMs = options.lookbackMs ?? 5 * 60 * 1000;
  const length = options.length ?? steps.length;
  const out: (number | undefined)[] = [];
  let last: SeriesStep;
  let lastAt = -Infinity;
  for (let i = 0; i < length; i++) {
    const step = steps[i];
    if (step !== undefined) {
      last = step;
      lastAt = i;
    }
    const fresh = (i - lastAt) * options.intervalMs <= lookbackMs;
    out.push(fresh && last !== STALE_NAN ? last : undefined);
  }
  return out;
}

/** One promtool `input_series` entry. */
export interface InputSeries {
  /** Series selector, e.g. `queue_depth{queue="sms"}`. */
  series: string;
  /** Values in series notation. */
  values: string;
}

/** One expanded input series. */
export interface ExpandedSeries {
  /** Metric name. */
  metric: string;
  /** Labels (without the metric name). */
  labels: Labels;
  /** One step per interval. */
  steps: SeriesStep[];
}

const SELECTOR = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?\s*$/s;
const MATCHER =
  /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*(?:,|$)/s;

/** Parses a series selector like `queue_depth{queue="sms"}` (equality matchers only). */
export function parseSeriesSelector(text: string): { metric: string; labels: Labels } {
  const match = SELECTOR.exec(text);
  if (match === null)
    throw new SyntaxError(
      `series selector ${JSON.stringify(text)}: expected name{label="value", …}`,
    );
  const labels: Labels = {};
  let rest = match[2] ?? '';
  while (rest.trim() !== '') {
    const m = MATCHER.exec(rest);
    if (m === null)
      throw new SyntaxError(
        `series selector ${JSON.stringify(text)}: bad label matcher at ${JSON.stringify(rest)}`,
      );
    const quoted = m[2]!;
    const body = quoted
      .slice(1, -1)
      .replace(/\\(.)/gs, (_, c: string) => ({ n: '\n', t: '\t' })[c] ?? c);
    labels[m[1]!] = body;
    rest = rest.slice(m[0].length);
  }
  return { metric: match[1]!, labels };
}

/** Expands promtool-style `input_series` entries. */
export function expandInputSeries(list: readonly InputSeries[]): ExpandedSeries[] {
  return list.map(({ series, values }) => ({
    ...parseSeriesSelector(series),
    steps: parseSeriesSteps(values),
  }));
}
