/**
 * `headroom forecast --csv F [--time-column C] [--value-column C] --horizon N [--level 80] [--json]`
 * forecasts one series; `headroom forecast --plan F [--json]` lists the plan's breaking points:
 * when each resource crosses each threshold, and at what driver values.
 */
import type { Command } from 'commander';
import { breakingPoints } from '../capacity/index.ts';
import { HeadroomError } from '../errors.ts';
import { fit, growthPerWeek, MODEL_NAMES, timeToThreshold, type Model } from '../forecast/index.ts';
import { loadPlan } from '../plan/load.ts';
import { formatDurationMs } from '../plan/units.ts';
import { formatDate, formatRatio, formatValue } from '../report/format.ts';
import { measuredDocument, measuredText } from '../report/measured-text.ts';
import { readColumnSeries } from '../runtime/column-csv.ts';
import { addLiveOptions, loadLive, parseLevel, type LiveOptions } from './live.ts';
import { parseDurationOption } from './options.ts';
import { printJson, table } from './output.ts';

interface ForecastOptions extends LiveOptions {
  csv?: string;
  plan?: string;
  timeColumn?: string;
  valueColumn?: string;
  horizon?: string;
  model: string;
  threshold?: string;
  json?: boolean;
}

/** Model names `--model` accepts. */
const MODELS = ['auto', ...MODEL_NAMES];

/** Registers `forecast`. */
export function registerForecast(program: Command): void {
  const command = program
    .command('forecast')
    .description("forecast a series from a CSV, or list a plan's breaking points")
    .option('--csv <file>', 'a CSV with a time column and a value column')
    .option('--plan <file>', 'a plan: list when each resource crosses each threshold')
    .option('--time-column <name>', 'time column (default: the first)')
    .option('--value-column <name>', 'value column (default: the first after the time column)')
    .option('--horizon <n>', 'CSV: points to forecast; plan: how far ahead (default 2y)')
    .option('--model <name>', `CSV: ${MODELS.join(', ')}`, 'auto')
    .option(
      '--threshold <value>',
      'CSV: also say when the series crosses this value (and its bounds)',
    )
    .option('--json', 'print one JSON document');
  addLiveOptions(command).action(async (options: ForecastOptions) => {
    if ((options.csv === undefined) === (options.plan === undefined)) {
      throw new HeadroomError('USAGE', 'forecast needs exactly one of --csv or --plan', {
        hint: 'headroom forecast --csv series.csv --horizon 24, or headroom forecast --plan plan.yaml',
      });
    }
    if (options.csv !== undefined) forecastCsv(options);
    else await forecastPlan(options);
  });
}

function forecastCsv(options: ForecastOptions): void {
  if (options.horizon === undefined)
    throw new HeadroomError('USAGE', '--horizon is required with --csv', {
      hint: 'give the number of points to forecast, e.g. --horizon 24',
    });
  const horizon = Number(options.horizon);
  if (!Number.isInteger(horizon) || horizon <= 0 || horizon > 1_000_000)
    throw new HeadroomError(
      'USAGE',
      `--horizon "${options.horizon}" is not a whole number of points`,
      { hint: 'write e.g. --horizon 24' },
    );
  if (!MODELS.includes(options.model))
    throw new HeadroomError('USAGE', `--model "${options.model}" is not a forecast model`, {
      hint: `choose one of ${MODELS.join(', ')}`,
    });
  const level = parseLevel(options.level);
  const { points, time, value } = readColumnSeries(
    options.csv!,
    options.timeColumn,
    options.valueColumn,
  );
  let model: Model;
  try {
    model = fit(points, { model: options.model as 'auto' });
  } catch (err) {
    throw new HeadroomError('CSV_INVALID', (err as Error).message, {
      file: options.csv,
      hint: 'a forecast needs at least 2 rows with a time and a number',
    });
  }
  const forecast = model.predict(horizon, level);
  const growth = growthPerWeek(model);
  const crossing = thresholdCrossing(model, options.threshold, level, horizon);
  if (options.json) {
    printJson({
      model: model.name,
      step_seconds: model.stepMs / 1000,
      level: level * 100,
      season_length: model.seasonLength,
      growth_per_week: growth.perWeek,
      threshold: crossing,
      hygiene: model.hygiene,
      selection: model.selection,
      forecast: forecast.map((p) => ({
        t: new Date(p.t).toISOString(),
        value: p.value,
        lower: p.lower,
        upper: p.upper,
      })),
    });
    return;
  }
  const h = model.hygiene;
  process.stdout.write(
    [
      `${options.csv}: ${value} by ${time} — model ${model.name}, step ${formatDurationMs(model.stepMs)}${model.seasonLength ? `, season ${model.seasonLength} steps` : ''}, trend ${growth.perWeek >= 0 ? '+' : ''}${growth.perWeek.toPrecision(3)}/week`,
      ...(h.notes.length ? [`data: ${h.notes.join('; ')}`] : []),
      ...(crossing
        ? [
            `crosses ${crossing.value}: ${crossing.at ?? 'not within the horizon'}${crossing.earliest || crossing.latest ? ` (between ${crossing.earliest ?? '—'} and ${crossing.latest ?? 'later'})` : ''}`,
          ]
        : []),
      '',
      table(
        ['time', 'forecast', `${Math.round(level * 100)} % interval`],
        forecast.map((p) => [
          new Date(p.t).toISOString(),
          p.value.toPrecision(4),
          `${p.lower.toPrecision(4)} – ${p.upper.toPrecision(4)}`,
        ]),
      ),
    ].join('\n') + '\n',
  );
}

/** When the forecast crosses `--threshold` (either way from where it is now), with bounds. */
function thresholdCrossing(
  model: Model,
  text: string | undefined,
  level: number,
  horizon: number,
):
  { value: number; at: string | null; earliest: string | null; latest: string | null } | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value))
    throw new HeadroomError('USAGE', `--threshold "${text}" is not a number`, {
      hint: 'write e.g. --threshold 90',
    });
  const last = model.predict(1, level)[0]!.value;
  const r = timeToThreshold(model, value, {
    level,
    horizonMs: horizon * model.stepMs,
    direction: value >= last ? 'above' : 'below',
  });
  const iso = (t: number | undefined): string | null =>
    t === undefined ? null : new Date(t).toISOString();
  return { value, at: iso(r.at), earliest: iso(r.lower), latest: iso(r.upper) };
}

async function forecastPlan(options: ForecastOptions): Promise<void> {
  const plan = loadPlan(options.plan!);
  const horizonMs = parseDurationOption(options.horizon ?? '2y', '--horizon');
  const live = await loadLive(plan, { ...options, quiet: options.json });
  const points = breakingPoints(live.model, { horizonMs });
  const resourceOf = (p: { component: string; resource: string }) =>
    live.model.resources.find(
      (r) => r.ref.component === p.component && r.ref.resource === p.resource,
    );
  if (options.json) {
    printJson(
      points.map((p) => ({
        component: p.component,
        resource: p.resource,
        severity: p.severity,
        threshold: p.threshold,
        utilization_now: p.utilizationNow,
        at: p.at === undefined ? null : new Date(p.at).toISOString(),
        earliest: p.earliest === undefined ? null : new Date(p.earliest).toISOString(),
        latest: p.latest === undefined ? null : new Date(p.latest).toISOString(),
        driver_values: p.driverValues,
        basis: p.basis,
        trigger: p.trigger,
        action: p.action,
        capacity: resourceOf(p)?.capacity,
        formula_capacity: resourceOf(p)?.formulaCapacity,
        measured: measuredDocument(resourceOf(p)?.measured),
      })),
    );
    return;
  }
  const measured = live.model.resources
    .filter((r) => r.measured)
    .map((r) => `${r.ref.component}.${r.ref.resource}: ${measuredText(r.measured!, r.unit)}`);
  process.stdout.write(
    `${table(
      ['when', 'resource', 'level', 'threshold', 'now', 'drivers then', 'from'],
      points.map((p) => [
        p.at === undefined
          ? '—'
          : `${formatDate(p.at)}${p.earliest !== undefined || p.latest !== undefined ? ` (${formatDate(p.earliest)} – ${formatDate(p.latest)})` : ''}`,
        `${p.component}.${p.resource}`,
        p.severity === 'capacity' ? 'full' : p.severity,
        formatRatio(p.threshold),
        formatRatio(p.utilizationNow),
        p.at === undefined
          ? '—'
          : Object.entries(p.driverValues)
              .map(([d, v]) => `${d} ${formatValue(Math.round(v), '')}`)
              .join(', '),
        p.basis,
      ]),
    )}\n${measured.length ? `\ncapacities measured by load tests (the dates above rest on them):\n${measured.map((m) => `  ${m}`).join('\n')}\n` : ''}`,
  );
}
