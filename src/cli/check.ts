/**
 * `headroom check --plan F [--json]` — collects now, evaluates every trigger and prints a
 * status table. Exit codes follow the Nagios plugin convention: 0 ok, 1 warning, 2 critical,
 * 3 unknown or plan error. Alert state persists in the store between runs, so a check run
 * every minute moves a trigger from pending to firing after its `for`.
 */
import type { Command } from 'commander';
import { loadPlan } from '../plan/load.ts';
import { formatDurationMs } from '../plan/units.ts';
import type { Plan } from '../plan/types.ts';
import { exitCodeFor, overallStatus } from '../rules/overall.ts';
import { Collector } from '../runtime/collect.ts';
import { Cycle, type CycleResult } from '../runtime/cycle.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { colourStatus, formatRatio, formatValue, printJson, table } from './output.ts';
import { parseDurationOption } from './options.ts';

export { exitCodeFor, overallStatus };

/** Registers `check`. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description(
      'collect now, evaluate triggers, print a status table (exit 0 ok, 1 warning, 2 critical, 3 unknown)',
    )
    .requiredOption('--plan <file>', 'plan file')
    .option('--store <file>', 'SQLite store for samples and alert state', '.headroom/headroom.db')
    .option('--no-store', 'keep nothing between runs (every check starts fresh)')
    .option('--timeout <duration>', 'deadline for collecting from all sources', '10s')
    .option('--json', 'print one JSON document')
    .action(
      async (options: { plan: string; store: string | false; timeout: string; json?: boolean }) => {
        const plan = loadPlan(options.plan);
        const timeoutMs = parseDurationOption(options.timeout, '--timeout');
        const store: Store | undefined = options.store
          ? await openSqliteStore({ path: options.store })
          : undefined;
        const collector = new Collector(plan, Date.now);
        try {
          const result = await new Cycle(plan, collector, store, Date.now).run(timeoutMs);
          if (options.json) printJson(checkDocument(plan, result));
          else process.stdout.write(`${renderCheck(plan, result)}\n`);
          process.exitCode = exitCodeFor(result.statuses);
        } finally {
          await collector.close();
          await store?.close();
        }
      },
    );
}

/** The `check --json` document. */
export function checkDocument(plan: Plan, result: CycleResult): Record<string, unknown> {
  return {
    plan: plan.name,
    at: new Date(result.at).toISOString(),
    status: overallStatus(result.statuses),
    exit_code: exitCodeFor(result.statuses),
    sources: Object.fromEntries(
      Object.entries(result.collected.sources).map(([name, s]) => [
        name,
        { kind: s.kind, state: s.health.state, last_error: s.health.lastError },
      ]),
    ),
    failures: Object.fromEntries(
      Object.entries(result.collected.failures).map(([m, e]) => [m, e.toJSON()]),
    ),
    triggers: result.statuses.map((s) => {
      const t = triggerView(plan, s.trigger);
      return { ...s, expr: t.expr, unit: t.unit, display_value: t.display(s.value) };
    }),
    samples: result.collected.samples.map((s) => ({
      metric: s.metric,
      labels: s.labels,
      value: s.value,
    })),
    store_error: result.storeError,
  };
}

/** What the CLI shows of a trigger: a plan trigger, or the built-in source-down. */
interface TriggerView {
  expr: string;
  unit: string;
  levels: { severity: string; text: string; action?: string }[];
  display: (value: number | undefined) => string;
}

function triggerView(plan: Plan, name: string): TriggerView {
  const t = plan.triggers.find((x) => x.name === name);
  if (!t) {
    const { severity, action } = plan.sourceDown;
    return {
      expr: 'every source reads something',
      unit: '',
      levels: [{ severity, text: `down for ${formatDurationMs(plan.sourceDown.forMs)}`, action }],
      display: (v) => (v === undefined ? '—' : v >= 1 ? 'all up' : 'down'),
    };
  }
  const percent = t.unit === '' && t.levels[0]?.condition.text.includes('%');
  return {
    expr: t.expr.text,
    unit: t.unit,
    levels: t.levels.map((l) => ({
      severity: l.severity,
      text: l.condition.text,
      action: l.action,
    })),
    display: (v) => (percent ? formatRatio(v) : formatValue(v, t.unit)),
  };
}

/** The human status table. */
export function renderCheck(plan: Plan, result: CycleResult): string {
  const rows = result.statuses.map((s) => {
    const t = triggerView(plan, s.trigger);
    const level = t.levels.find((l) => l.severity === s.severity) ?? t.levels[0];
    const thresholds = t.levels.map((l) => `${l.severity[0]} ${l.text}`).join(', ');
    const note =
      s.status === 'unknown'
        ? (s.reason ?? '')
        : s.status === 'ok'
          ? ''
          : (s.action ?? level?.action ?? '');
    return [s.trigger, colourStatus(s.status), t.display(s.value), thresholds, note];
  });
  const sourceLines = Object.entries(result.collected.sources).map(
    ([name, s]) =>
      `  ${name} (${s.kind}): ${colourStatus(s.health.state === 'ok' ? 'ok' : s.health.state)}${s.health.lastError ? ` — ${s.health.lastError}` : ''}`,
  );
  return [
    `${plan.name} — ${new Date(result.at).toISOString()} — ${colourStatus(overallStatus(result.statuses))}`,
    '',
    table(['trigger', 'status', 'value', 'thresholds', 'action / reason'], rows),
    '',
    'sources:',
    ...sourceLines,
    ...(result.storeError ? [`store: ${result.storeError}`] : []),
  ].join('\n');
}
