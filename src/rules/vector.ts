/**
 * Vector evaluation: a trigger's result vector from its input vectors, with PromQL-like
 * one-to-one label matching. An input with exactly one series and no labels broadcasts like a
 * scalar; the other inputs match on identical label sets; unmatched elements are dropped; a
 * result element keeps the matched labels. NaN results are dropped and counted, never thrown.
 */
import type { Labels, Series } from './types.ts';

/** One element of a result vector. */
export interface VectorElement {
  /** Labels of the element. */
  labels: Labels;
  /** The computed value, in base units (never NaN). */
  value: number;
  /** `labelsKey(labels)` once known; `elementKey` computes it on demand (most never need it). */
  key?: string;
}

/** An input vector prepared for matching; keys and the index are built only when needed. */
export interface IndexedVector {
  /** The series, as given. */
  series: readonly Series[];
  /** True when the vector is exactly one series without labels (it broadcasts like a scalar). */
  scalar: boolean;
  /** Position of each `labelsKey`, built the first time keyed matching needs it. */
  byKey?: Map<string, number>;
  /** Set with `byKey` when two series share a label set. */
  duplicate?: string;
}

/** The outcome of computing one trigger's vector. */
export interface VectorResult {
  /** Result elements, in the order of the first labelled input. */
  elements: VectorElement[];
  /** Labels of the elements dropped because the expression gave NaN. */
  nan: Labels[];
  /** Why the evaluation failed (expression threw, returned a non-number, duplicate labels). */
  error?: string;
}

const PAIR = '\u0001';
const NEXT = '\u0002';

/**
 * A canonical key for a label set: equal for equal sets whatever the property order. Label
 * names and values that contain the separator characters fall back to JSON, which never
 * contains a raw control character, so the two forms cannot collide.
 */
export function labelsKey(labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length === 0) return '';
  if (names.length > 1) names.sort();
  let key = '';
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = labels[name]!;
    if (hasSeparator(name) || hasSeparator(value)) {
      return JSON.stringify(names.map((n) => [n, labels[n]]));
    }
    key += i === 0 ? name + PAIR + value : NEXT + name + PAIR + value;
  }
  return key;
}

function hasSeparator(text: string): boolean {
  return text.includes(PAIR) || text.includes(NEXT);
}

/** Labels in Prometheus notation, e.g. `{queue="sms"}`; `{}` when there are none. */
export function formatLabels(labels: Labels): string {
  const names = Object.keys(labels).sort();
  return `{${names.map((n) => `${n}=${JSON.stringify(labels[n])}`).join(', ')}}`;
}

/** The element's `labelsKey`, computed once and remembered on the element. */
export function elementKey(element: VectorElement): string {
  return (element.key ??= labelsKey(element.labels));
}

/** True when two label sets are equal, without building keys. */
export function sameLabels(a: Labels, b: Labels): boolean {
  if (a === b) return true;
  let count = 0;
  for (const name in a) {
    if (a[name] !== b[name] || !Object.hasOwn(b, name)) return false;
    count++;
  }
  for (const _ in b) count--;
  return count === 0;
}

function hasNoLabels(labels: Labels): boolean {
  for (const _ in labels) return false;
  return true;
}

/** Prepares one input vector, shared by every trigger that reads the metric in one evaluation. */
export function indexVector(series: readonly Series[]): IndexedVector {
  return { series, scalar: series.length === 1 && hasNoLabels(series[0]!.labels) };
}

function ensureIndex(vector: IndexedVector): Map<string, number> {
  if (vector.byKey !== undefined) return vector.byKey;
  const byKey = new Map<string, number>();
  for (let i = 0; i < vector.series.length; i++) {
    const key = labelsKey(vector.series[i]!.labels);
    if (byKey.has(key) && vector.duplicate === undefined) {
      vector.duplicate = formatLabels(vector.series[i]!.labels);
    }
    byKey.set(key, i);
  }
  vector.byKey = byKey;
  return byKey;
}

/** What `computeVector` needs: the input names, the expression and one vector per input. */
export interface ComputeOptions {
  /** Input metric names, in the order of `vectors`. */
  inputs: readonly string[];
  /** The expression (see `TriggerSpec.compute`). */
  compute: (values: Record<string, number>) => number;
  /** One prepared vector per input. */
  vectors: readonly IndexedVector[];
}

/**
 * Computes a trigger's result vector. Never throws: a throwing or non-number expression and
 * duplicate label sets (which PromQL rejects too) come back as `error` with no elements.
 */
export function computeVector(options: ComputeOptions): VectorResult {
  const result: VectorResult = { elements: [], nan: [] };
  try {
    if (options.vectors.length === 1) computeSingle(options, result);
    else computeMatched(options, result);
  } catch (thrown) {
    return { elements: [], nan: [], error: describe(thrown) };
  }
  return result;
}

function describe(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown);
}

function push(result: VectorResult, labels: Labels, value: number, key?: string): void {
  if (typeof value !== 'number') {
    throw new Error(
      `expression returned ${typeof value} instead of a number for ${formatLabels(labels)}`,
    );
  }
  if (Number.isNaN(value)) result.nan.push(labels);
  else result.elements.push(key === undefined ? { labels, value } : { labels, value, key });
}

// Fast path: one input, no matching; every series is one element.
function computeSingle(options: ComputeOptions, result: VectorResult): void {
  const vector = options.vectors[0]!;
  const name = options.inputs[0]!;
  const values: Record<string, number> = { [name]: 0 };
  for (let i = 0; i < vector.series.length; i++) {
    const series = vector.series[i]!;
    values[name] = series.value;
    push(result, series.labels, options.compute(values));
  }
}

function computeMatched(options: ComputeOptions, result: VectorResult): void {
  const { inputs, vectors } = options;
  const labelled: number[] = [];
  const values: Record<string, number> = {};
  for (let j = 0; j < vectors.length; j++) {
    const vector = vectors[j]!;
    if (vector.scalar) values[inputs[j]!] = vector.series[0]!.value;
    else labelled.push(j);
  }
  if (labelled.length === 0) return push(result, {}, options.compute(values), '');
  // The first labelled input drives the order; every other labelled input must hold the labels.
  const first = vectors[labelled[0]!]!;
  let aligned = true;
  outer: for (let i = 0; i < first.series.length; i++) {
    const labels = first.series[i]!.labels;
    for (let n = 1; n < labelled.length; n++) {
      const j = labelled[n]!;
      const at = positionOf(vectors[j]!, inputs[j]!, labels, i);
      aligned &&= at === i;
      if (at === undefined) continue outer;
      values[inputs[j]!] = vectors[j]!.series[at]!.value;
    }
    values[inputs[labelled[0]!]!] = first.series[i]!.value;
    push(result, labels, options.compute(values));
  }
  // Aligned inputs repeat a duplicate at the same positions, where the alert rule rejects it
  // if it ever matters; otherwise check the driving input like the others.
  if (!aligned) checkUnique(first, inputs[labelled[0]!]!);
}

function checkUnique(vector: IndexedVector, name: string): void {
  ensureIndex(vector);
  if (vector.duplicate !== undefined) {
    throw new Error(`input ${name} has more than one series with labels ${vector.duplicate}`);
  }
}

// Sources list series in a stable order, so the same position usually holds the same labels:
// check it before building the keyed index (which is also where duplicate label sets show).
function positionOf(
  vector: IndexedVector,
  name: string,
  labels: Labels,
  hint: number,
): number | undefined {
  const candidate = vector.series[hint];
  if (candidate !== undefined && sameLabels(candidate.labels, labels)) return hint;
  checkUnique(vector, name);
  return vector.byKey!.get(labelsKey(labels));
}
