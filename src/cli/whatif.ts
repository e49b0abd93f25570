/**
 * `headroom whatif --plan F --set companies=5000 | --scale 10x [--for 24h] [--json]` — the plan
 * under other driver values or a load multiplier: utilization per resource, what breaks first,
 * the replicas and tier needed, and the monthly cost against today's.
 */
import type { Command } from 'commander';
import { whatIf, type WhatIfQuestion, type WhatIfResult } from '../capacity/index.ts';
import { HeadroomError } from '../errors.ts';
import { loadPlan } from '../plan/load.ts';
import type { Plan } from '../plan/types.ts';
import { formatDurationMs, toQuantity } from '../plan/units.ts';
import { formatMonthly, formatRatio, formatValue } from '../report/format.ts';
import { capacityText, measuredDocument, measuredText } from '../report/measured-text.ts';
import { addLiveOptions, loadLive, type LiveOptions } from './live.ts';
import { parseDurationOption } from './options.ts';
import { colourStatus, printJson, table } from './output.ts';

/** Registers `whatif`. */
export function registerWhatIf(program: Command): void {
  const command = program
    .command('whatif')
    .description(
      'the plan under other driver values or a load multiplier: what breaks, what it costs',
    )
    .requiredOption('--plan <file>', 'plan file')
    .option(
      '--set <driver=value...>',
      'assume a driver value (or a plan field: db.capacity.connections=200)',
    )
    .option('--scale <factor>', "multiply today's load (drivers and measured usage), e.g. 10x")
    .option('--for <duration>', 'how long the situation lasts (prorates its cost), e.g. 24h')
    .option('--json', 'print one JSON document');
  addLiveOptions(command).action(
    async (
      options: LiveOptions & {
        plan: string;
        set?: string[];
        scale?: string;
        for?: string;
        json?: boolean;
      },
    ) => {
      const plan = loadPlan(options.plan);
      const question = parseQuestion(plan, options);
      const live = await loadLive(plan, { ...options, quiet: options.json });
      const result = whatIf(live.model, question);
      if (options.json) printJson(whatIfDocument(plan, result, question));
      else process.stdout.write(`${renderWhatIf(plan, result, question)}\n`);
    },
  );
}

/** Parses `--set` and `--scale` into a question; every mistake names the option and value. */
export function parseQuestion(
  plan: Plan,
  options: { set?: string[]; scale?: string; for?: string },
): WhatIfQuestion {
  const question: WhatIfQuestion = {};
  if (!options.set?.length && options.scale === undefined) {
    throw new HeadroomError('USAGE', 'whatif needs --set or --scale', {
      hint: `e.g. --set ${Object.keys(plan.drivers)[0] ?? 'users'}=5000, or --scale 10x`,
    });
  }
  for (const item of (options.set ?? []).flatMap((s) => s.split(','))) {
    const m = /^\s*([^=\s]+)\s*=\s*(.+?)\s*$/.exec(item);
    if (!m)
      throw new HeadroomError('USAGE', `--set "${item}" is not name=value`, {
        hint: 'write e.g. --set companies=5000',
      });
    const [, key, text] = m as unknown as [string, string, string];
    if (plan.drivers[key]) {
      const v = Number(text.replace(/_/g, ''));
      if (!Number.isFinite(v) || v < 0)
        throw new HeadroomError('USAGE', `--set ${key}="${text}" is not a number of ${key}`, {
          hint: `write e.g. --set ${key}=5000`,
        });
      (question.drivers ??= {})[key] = v;
    } else (question.set ??= {})[key] = settable(plan, key, text);
  }
  if (options.scale !== undefined) {
    const v = Number(options.scale.trim().replace(/[x×]$/i, ''));
    if (!Number.isFinite(v) || v <= 0)
      throw new HeadroomError('USAGE', `--scale "${options.scale}" is not a positive factor`, {
        hint: 'write e.g. --scale 10x or --scale 0.5',
      });
    question.scale = v;
  }
  if (options.for !== undefined) question.durationMs = parseDurationOption(options.for, '--for');
  return question;
}

function settable(plan: Plan, key: string, text: string): number {
  const keys = settableKeys(plan);
  if (!keys.includes(key)) {
    throw new HeadroomError(
      'USAGE',
      `--set "${key}" is neither a driver nor a field a tier can set`,
      {
        hint: `drivers: ${Object.keys(plan.drivers).join(', ') || 'none'}; fields: ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', …' : ''}`,
      },
    );
  }
  try {
    return toQuantity(plan.units, plan.units.math.evaluate(text)).value;
  } catch {
    throw new HeadroomError('USAGE', `--set ${key}="${text}" is not a quantity`, {
      hint: `write e.g. --set ${key}=200`,
    });
  }
}

/** Fields `--set` may change besides drivers: params, capacities, per-replica values, replicas. */
function settableKeys(plan: Plan): string[] {
  const keys = Object.keys(plan.raw.params ?? {});
  for (const [name, c] of Object.entries(plan.raw.components ?? {})) {
    for (const field of ['capacity', 'per_replica'] as const)
      for (const r of Object.keys(c[field] ?? {})) keys.push(`${name}.${field}.${r}`);
    keys.push(`${name}.replicas.current`);
  }
  return keys;
}

/** The `whatif --json` document. */
export function whatIfDocument(
  plan: Plan,
  r: WhatIfResult,
  q: WhatIfQuestion,
): Record<string, unknown> {
  return {
    plan: plan.name,
    question: {
      drivers: q.drivers ?? {},
      scale: q.scale ?? 1,
      set: q.set ?? {},
      for_seconds: q.durationMs === undefined ? undefined : q.durationMs / 1000,
    },
    drivers: r.drivers,
    load_scale: r.loadScale,
    resources: r.resources.map((x) => ({
      component: x.component,
      resource: x.resource,
      unit: x.unit,
      capacity: x.capacity,
      usage: x.usage,
      utilization: x.utilization,
      utilization_now: x.utilizationNow,
      status: x.status,
      replicas: x.replicas,
      formula_capacity: x.formulaCapacity,
      measured: measuredDocument(x.measured),
    })),
    first_to_break: r.firstToBreak ?? null,
    tier: r.tier,
    monthly_cost: {
      now_usd: r.cost.nowMonthlyUsd,
      whatif_usd: r.cost.whatIfMonthlyUsd,
      delta_usd: r.cost.deltaMonthlyUsd,
      for_duration_usd: r.cost.forDurationUsd,
    },
  };
}

/** The human what-if table. */
export function renderWhatIf(plan: Plan, r: WhatIfResult, q: WhatIfQuestion): string {
  const drivers = Object.entries(r.drivers)
    .map(([n, d]) => `${n} ${formatValue(d.now, '')} → ${formatValue(d.value, '')}`)
    .join(', ');
  const rows = r.resources.map((x) => [
    `${x.component}.${x.resource}`,
    capacityText(x.capacity, x.formulaCapacity, x.measured, x.unit),
    formatValue(x.usage, x.unit),
    `${formatRatio(x.utilizationNow)} → ${formatRatio(x.utilization)}`,
    colourStatus(x.status === 'full' ? 'critical' : x.status),
    x.replicas
      ? `${formatValue(x.replicas.now, '')} → ${formatValue(x.replicas.needed, '')}${x.replicas.max !== undefined ? ` (max ${x.replicas.max})` : ''}`
      : '',
  ]);
  const brk = r.firstToBreak;
  const cost = r.cost;
  const measured = r.resources
    .filter((x) => x.measured)
    .map((x) => `measured ${x.component}.${x.resource}: ${measuredText(x.measured!, x.unit)}`);
  return [
    `${plan.name} — what if ${[q.scale !== undefined ? `${q.scale}× load` : '', drivers].filter(Boolean).join(': ')}${q.durationMs !== undefined ? ` for ${formatDurationMs(q.durationMs)}` : ''}`,
    '',
    table(
      [
        'resource',
        'capacity',
        'usage',
        'utilization now → then',
        'status',
        'replicas now → needed',
      ],
      rows,
    ),
    ...(measured.length ? ['', ...measured] : []),
    '',
    `first to break: ${brk ? `${brk.component}.${brk.resource} at ${formatRatio(brk.utilization)} (${brk.status})` : 'nothing crosses a threshold'}`,
    `tier: ${r.tier.needed ?? '—'} (${r.tier.reason}${r.tier.deployed ? `; deployed: ${r.tier.deployed}` : ''})`,
    `monthly cost: ${formatMonthly(cost.nowMonthlyUsd)} now → ${formatMonthly(cost.whatIfMonthlyUsd)}${cost.deltaMonthlyUsd !== undefined ? ` (${cost.deltaMonthlyUsd >= 0 ? '+' : ''}${formatMonthly(cost.deltaMonthlyUsd)})` : ''}${cost.forDurationUsd !== undefined ? `; over the duration: $${cost.forDurationUsd.toFixed(2)}` : ''}`,
  ].join('\n');
}
