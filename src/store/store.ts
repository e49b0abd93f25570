/**
 * The `Store` contract: durable samples and small key/value state. `sqlite.ts` is the embedded
 * default; any later backend (PostgreSQL) must pass `store.contract.ts`.
 */
import type { Labels, Point, Sample } from '../sources/source.ts';

/** One stored series: its metric, labels and points in time order. */
export interface Series {
  /** Metric name. */
  metric: string;
  /** Exact label set. */
  labels: Labels;
  /** Points, oldest first. */
  points: Point[];
}

/** Durable storage for samples and state. */
export interface Store {
  /** Appends samples in one transaction; durable when the promise resolves. */
  append(samples: Sample[]): Promise<void>;
  /** Points of one series (exact label match) with `from <= at <= to` (epoch ms), oldest first. */
  range(metric: string, labels: Labels, from: number, to: number): Promise<Point[]>;
  /** Every series of a metric whose labels include `matchers`, with points in `[from, to]`. */
  select(metric: string, matchers: Labels, from: number, to: number): Promise<Series[]>;
  /** Every series of a metric with at most one point per `stepMs` in `[from, to]`: each step's last. */
  downsample(metric: string, from: number, to: number, stepMs: number): Promise<Series[]>;
  /** The newest point of every series of a metric at or before `at`. */
  latest(metric: string, at: number): Promise<Series[]>;
  /** Deletes points older than `before` (epoch ms); returns how many were removed. */
  deleteBefore(before: number): Promise<number>;
  /** Saves a JSON-serialisable value under a key (alert state, scaler state). */
  saveState(key: string, value: unknown): Promise<void>;
  /** Loads a value saved under a key, or undefined. */
  loadState<T>(key: string): Promise<T | undefined>;
  /** Flushes and closes. Safe to call twice. */
  close(): Promise<void>;
}
