/**
 * What `report`, `whatif` and `forecast --plan` stand on: the plan's live values (one collect,
 * through the same cycle as `check`, so alert states persist) and its history (the store, or a
 * samples CSV for offline use), built into the capacity model.
 */
import type { Command } from 'commander';
import { buildCapacityModel, type CapacityModel } from '../capacity/index.ts';
import { HeadroomError } from '../errors.ts';
import type { Plan } from '../plan/types.ts';
import type { RoadmapSource } from '../report/roadmap-data.ts';
import type { TriggerStatus } from '../rules/types.ts';
import { Collector } from '../runtime/collect.ts';
import { currentValues, sourceErrors } from '../runtime/current-values.ts';
import { Cycle } from '../runtime/cycle.ts';
import {
  framesFromSeries,
  frameStepMs,
  medianSpacingMs,
  seriesFromStore,
} from '../runtime/history.ts';
import { replay } from '../runtime/replay.ts';
import { readSeriesCsv, type RecordedSeries } from '../runtime/series-csv.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import { parseDurationOption } from './options.ts';
import { progress } from './progress.ts';

/** Options shared by the commands that build the capacity model. */
export interface LiveOptions {
  /** Samples CSV to use instead of collecting and reading the store. */
  history?: string;
  /** SQLite store, or false for none. */
  store: string | false;
  /** How much store history to read (`30d`). */
  window: string;
  /** Collect deadline (`10s`). */
  timeout: string;
  /** Prediction interval level, percent. */
  level: string;
  /** Quiet progress (JSON output). */
  quiet?: boolean;
}

/** The capacity model with the live trigger statuses it was built beside. */
export interface Live {
  /** The model. */
  model: CapacityModel;
  /** Trigger statuses now (from the collect, or the end of the CSV's replay). */
  statuses: TriggerStatus[];
  /** Where the numbers came from, for the report's header. */
  data: RoadmapSource;
}

/** Adds the options of `LiveOptions` to a command. */
export function addLiveOptions(command: Command): Command {
  return command
    .option(
      '--history <csv>',
      'use recorded samples (time, then plan metrics) instead of collecting now',
    )
    .option(
      '--store <file>',
      'SQLite store with the history `watch` and `check` recorded',
      '.headroom/headroom.db',
    )
    .option('--no-store', 'read and keep no history')
    .option('--window <duration>', 'how much store history to read', '30d')
    .option('--timeout <duration>', 'deadline for collecting from all sources', '10s')
    .option('--level <percent>', 'prediction interval level', '80');
}

/** Parses `--level 80` into 0.8. */
export function parseLevel(text: string): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0 || v >= 100) {
    throw new HeadroomError('USAGE', `--level "${text}" is not a percentage between 0 and 100`, {
      hint: 'write e.g. --level 80 for an 80 % prediction interval',
    });
  }
  return v / 100;
}

/** Builds the capacity model from a CSV (offline) or from a live collect and the store. */
export async function loadLive(plan: Plan, options: LiveOptions): Promise<Live> {
  const level = parseLevel(options.level);
  return options.history
    ? fromCsv(plan, options.history, level, options.quiet)
    : fromLive(plan, options, level);
}

/** Reads a samples CSV whose columns must name the plan's metrics. */
export function readPlanSamples(plan: Plan, file: string): RecordedSeries[] {
  const series = readSeriesCsv(file);
  const known = new Set(Object.keys(plan.metrics));
  const unknown = series.filter((s) => !known.has(s.metric)).map((s) => s.metric);
  if (unknown.length > 0) {
    const many = unknown.length > 1;
    throw new HeadroomError(
      'CSV_INVALID',
      `${many ? 'columns' : 'column'} ${unknown.map((u) => `"${u}"`).join(', ')} ${many ? 'name' : 'names'} no metric of plan "${plan.name}"`,
      { file, line: 1, hint: `name columns after the plan's metrics: ${[...known].join(', ')}` },
    );
  }
  if (series.every((s) => s.points.length === 0)) {
    throw new HeadroomError('CSV_INVALID', 'the CSV has no samples', {
      file,
      hint: 'add rows below the header',
    });
  }
  return series;
}

function fromCsv(plan: Plan, file: string, level: number, quiet?: boolean): Live {
  const series = readPlanSamples(plan, file);
  const times = series.flatMap((s) => s.points.map((p) => p.at));
  const from = Math.min(...times);
  const to = Math.max(...times);
  const bar = quiet ? undefined : progress('reading history');
  const stepMs = frameStepMs(plan, from, to, medianSpacingMs(series));
  const frames = framesFromSeries(plan, series, {
    stepMs,
    start: from,
    end: to,
    canonical: false,
    onProgress: bar?.update,
  });
  bar?.done();
  const last = frames[frames.length - 1];
  // The CSV's last moment is "now": statuses are where a replay of it ends.
  const statuses = replay({
    plan,
    series,
    intervalMs: stepMs,
  }).statuses;
  const model = buildCapacityModel({
    plan,
    now: to,
    current: last?.metrics ?? {},
    currentWorst: last?.worst,
    history: frames,
    level,
  });
  return {
    model,
    statuses,
    data: { kind: 'csv', file, frames: frames.length, from, to, sourceErrors: [] },
  };
}

async function fromLive(plan: Plan, options: LiveOptions, level: number): Promise<Live> {
  const timeoutMs = parseDurationOption(options.timeout, '--timeout');
  const windowMs = parseDurationOption(options.window, '--window');
  const store = options.store ? await openSqliteStore({ path: options.store }) : undefined;
  const collector = new Collector(plan, Date.now);
  try {
    const cycle = await new Cycle(plan, collector, store, Date.now).run(timeoutMs);
    const now = cycle.at;
    let frames: ReturnType<typeof framesFromSeries> = [];
    const errors = sourceErrors(cycle.collected);
    if (cycle.storeError) errors.push(`store: ${cycle.storeError}`);
    if (store) {
      const stepMs = frameStepMs(plan, now - windowMs, now);
      try {
        const series = await seriesFromStore(plan, store, now - windowMs, now, stepMs);
        frames = framesFromSeries(plan, series, { stepMs, end: now, canonical: true });
      } catch (err) {
        // History is lost to this report only: it goes on from today's values, and says so.
        errors.push(`store: ${(err as Error).message}`);
      }
    }
    const current = currentValues(plan, cycle.collected, frames);
    const model = buildCapacityModel({
      plan,
      now,
      current: current.metrics,
      currentWorst: current.worst,
      history: frames,
      level,
    });
    return {
      model,
      statuses: cycle.statuses,
      data: {
        kind: 'live',
        frames: frames.length,
        from: frames[0]?.t,
        to: now,
        sourceErrors: errors,
      },
    };
  } finally {
    await collector.close();
    await store?.close();
  }
}
