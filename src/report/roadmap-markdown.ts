/**
 * The live roadmap as Markdown, in the shape of the hand-written roadmaps it replaces: current
 * capacity, when to scale next, phases, breaking points, costs, scenarios, checklist — every
 * number live, with the date it was produced.
 */
import type { RoadmapBreakingPoint, Roadmap, RoadmapTier } from './roadmap-data.ts';
import { formatCount, formatDate, formatMonthly, formatRatio, formatValue } from './format.ts';
import { driverText, horizonText, perUnit, quantity, table, when } from './markdown.ts';
import { formatDurationMs } from '../plan/units.ts';
import { loadTestRunText } from './loadtest-runs.ts';
import { capacityText, measuredText } from './measured-text.ts';

/** Renders the roadmap. */
export function renderRoadmap(r: Roadmap): string {
  return [
    header(r),
    summary(r),
    capacity(r),
    drivers(r),
    triggers(r),
    tiers(r),
    breaking(r),
    costs(r),
    scenarios(r),
    checklist(r),
    footer(r),
  ]
    .filter((s) => s.length > 0)
    .join('\n\n')
    .concat('\n');
}

function header(r: Roadmap): string {
  const src =
    r.source.kind === 'csv'
      ? `recorded samples in \`${r.source.file}\` (${r.source.frames} points, ${formatDate(r.source.from)} – ${formatDate(r.source.to)})`
      : `a live collect${r.source.frames ? ` and ${r.source.frames} points of history since ${formatDate(r.source.from)}` : ' (no history recorded yet)'}`;
  return [
    `# ${r.plan.name} — Scaling Roadmap & Capacity Plan`,
    '',
    `_Produced ${new Date(r.producedAt).toISOString().replace('T', ' ').slice(0, 16)} UTC by headroom from \`${r.plan.file}\`; numbers as of ${new Date(r.asOf).toISOString().replace('T', ' ').slice(0, 16)} UTC from ${src}. Projections look ${horizonText(r.horizonMs)} ahead with ${Math.round(r.level * 100)} % intervals._`,
    ...(r.plan.description ? ['', `> ${r.plan.description.trim().replace(/\n/g, ' ')}`] : []),
    ...(r.source.sourceErrors.length
      ? [
          '',
          `⚠️ Could not read: ${r.source.sourceErrors.join('; ')}. Numbers that need them fall back to the plan's model and static values.`,
        ]
      : []),
  ].join('\n');
}

function summary(r: Roadmap): string {
  const lines = ['## Summary', ''];
  const deployed = r.tiers[r.deployedTier];
  if (deployed)
    lines.push(
      `- **Deployed:** ${deployed.name}${deployed.monthlyCostUsd !== undefined ? ` (${formatMonthly(deployed.monthlyCostUsd)})` : ''}.`,
    );
  if (r.nextStep)
    lines.push(
      `- **Next scaling step:** ${r.nextStep.tier} — ${when(r.nextStep.at, r.nextStep.earliest, r.nextStep.latest)}; ${r.nextStep.reason}.`,
    );
  const firstBreak = r.breakingPoints.find((p) => p.severity === 'capacity' && p.at !== undefined);
  lines.push(
    firstBreak
      ? `- **First to break:** ${pointText(firstBreak)}`
      : '- **First to break:** nothing reaches its capacity within the horizon.',
  );
  const firstWarn = r.breakingPoints.find((p) => p.severity !== 'capacity' && p.at !== undefined);
  if (firstWarn) lines.push(`- **First threshold:** ${pointText(firstWarn)}`);
  const firing = r.triggers.filter(
    (t) => t.status && (t.status.status === 'warning' || t.status.status === 'critical'),
  );
  lines.push(
    firing.length
      ? `- **Alerts now:** ${firing.map((t) => `${t.forecast.trigger} (${t.status!.status})`).join(', ')}.`
      : '- **Alerts now:** none firing.',
  );
  if (r.costs.totalMonthlyUsd !== undefined)
    lines.push(
      `- **Monthly cost now:** ${formatMonthly(r.costs.totalMonthlyUsd)}${perUnit(r.costs.perDriverUnit)}.`,
    );
  return lines.join('\n');
}

function pointText(p: RoadmapBreakingPoint): string {
  const what = `${p.component} ${p.resource}`;
  const level = p.severity === 'capacity' ? 'full' : `${p.severity} at ${formatRatio(p.threshold)}`;
  const fix = p.fix
    ? ` Fix: ${p.fix.tier}${p.fix.deltaMonthlyUsd !== undefined ? ` (+${formatMonthly(p.fix.deltaMonthlyUsd)})` : ''}.`
    : p.action
      ? ` Action: ${p.action}.`
      : '';
  const lead =
    p.leadTimeMs && p.at !== undefined
      ? ` Act by ${formatDate(p.at - p.leadTimeMs)} (lead time ${formatDurationMs(p.leadTimeMs)}).`
      : '';
  return `${what} (${level}) on ${when(p.at, p.earliest, p.latest)}, at ${driverText(p.driverValues) || 'today’s load'}.${fix}${lead}`;
}

function capacity(r: Roadmap): string {
  if (r.resources.length === 0) return '';
  const rows = r.resources.map((x) => [
    `${x.ref.component}`,
    x.ref.resource,
    capacityText(x.capacity, x.formulaCapacity, x.measured, x.unit, quantity),
    x.usage !== undefined
      ? quantity(x.usage, x.unit)
      : x.effectiveUsage !== undefined
        ? `${quantity(x.effectiveUsage, x.unit)} (model)`
        : '—',
    formatRatio(x.utilization),
    calibrationText(x),
  ]);
  const measured = r.resources.filter((x) => x.measured);
  return [
    '## 🎯 Current Capacity',
    '',
    table(['component', 'resource', 'capacity', 'usage', 'utilization', 'load model'], rows),
    ...(measured.length
      ? [
          '',
          'Measured by load tests (the measurement scales with the formula in other configurations):',
          '',
          ...measured.map(
            (x) =>
              `- **${x.ref.component} ${x.ref.resource}:** ${measuredText(x.measured!, x.unit)}`,
          ),
        ]
      : []),
  ].join('\n');
}

function calibrationText(x: Roadmap['resources'][number]): string {
  const c = x.calibration;
  if (!c) return '';
  if (c.method !== 'history') return c.note;
  const intercept = c.intercept === 0 ? '' : `${formatValue(c.intercept, x.unit)} + `;
  return `fitted over ${c.points} points: usage = ${intercept}${Number(c.slope.toPrecision(3))} × model (R² ${c.rSquared!.toFixed(2)})`;
}

function drivers(r: Roadmap): string {
  if (r.drivers.length === 0) return '';
  const rows = r.drivers.map((d) => [
    d.name,
    formatCount(d.now),
    `${d.perWeek >= 0 ? '+' : ''}${formatCount(d.perWeek)}/week (${formatRatio(d.fractionPerWeek)})`,
    formatCount(d.in30d),
    formatCount(d.in90d),
    formatCount(d.in365d),
    d.note,
  ]);
  return [
    '## 📈 Growth',
    '',
    table(['driver', 'now', 'growth', 'in 30 days', 'in 90 days', 'in 1 year', 'how'], rows),
  ].join('\n');
}

function triggers(r: Roadmap): string {
  if (r.triggers.length === 0) return '';
  const rows = r.triggers.map((t) => {
    const percent = t.unit === '' && t.forecast.levels.some((l) => l.condition.includes('%'));
    const show = (v: number | undefined): string =>
      percent ? formatRatio(v) : formatValue(v, t.unit);
    const level = (sev: string): string => {
      const l = t.forecast.levels.find((x) => x.severity === sev);
      if (!l) return '';
      return `${l.condition}: ${l.at === undefined ? '—' : formatDate(l.at)}${l.actBy !== undefined && l.actBy > r.asOf ? ` (act by ${formatDate(l.actBy)})` : ''}`;
    };
    // An unknown status has no measured value: show the model's, marked.
    const known = t.status !== undefined && t.status.status !== 'unknown';
    const value = known
      ? show(t.status!.value ?? t.forecast.valueNow)
      : t.forecast.basis === 'model' && t.forecast.valueNow !== undefined
        ? `${show(t.forecast.valueNow)} (model)`
        : '—';
    return [
      t.forecast.trigger,
      t.status?.status ?? 'unknown',
      value,
      level('warning'),
      level('critical'),
      t.forecast.basis === 'history' ? `trend (${t.forecast.model})` : t.forecast.basis,
    ];
  });
  return [
    '## 📊 When to Scale Next',
    '',
    table(
      [
        'trigger',
        'state',
        'value',
        'warning (projected)',
        'critical (projected)',
        'projected from',
      ],
      rows,
    ),
  ].join('\n');
}

function tiers(r: Roadmap): string {
  if (r.tiers.length === 0) return '';
  return ['## 🚀 Scaling Phases', ...r.tiers.map((t) => tierSection(t))].join('\n\n');
}

function tierSection(t: RoadmapTier): string {
  const tag = { past: 'behind us', deployed: 'CURRENT', next: 'next', later: 'planned' }[
    t.position
  ];
  const lines = [`### ${t.name} — ${tag}`];
  if (t.description) lines.push('', t.description.trim());
  const bounds = t.bounds.map(
    (b) =>
      `${b.driver} ${formatCount(b.now)} of ${formatCount(b.until)} (${formatRatio(b.fraction)}), ${b.at === undefined ? 'not reached within the horizon' : `reached ${when(b.at, b.earliest, b.latest)}`}`,
  );
  if (bounds.length) lines.push('', `- **Bounds:** ${bounds.join('; ')}`);
  if (t.deployNow !== undefined || t.deployAt !== undefined)
    lines.push(
      `- **Deploy condition:** ${t.deployNow ? 'holds now' : `projected ${when(t.deployAt)}`}`,
    );
  if (t.monthlyCostUsd !== undefined)
    lines.push(
      `- **Cost:** ${formatMonthly(t.monthlyCostUsd)}${t.deltaMonthlyUsd ? ` (${t.deltaMonthlyUsd > 0 ? '+' : ''}${formatMonthly(t.deltaMonthlyUsd)} over the deployed tier)` : ''}${perUnit(t.costPerDriverUnit)}${t.breakEvenUnits !== undefined ? `; break-even at ${t.breakEvenUnits} paying, healthy at ${t.healthyUnits ?? '—'}` : ''}`,
    );
  if (t.firstToBreak)
    lines.push(
      `- **First to break in this configuration:** ${t.firstToBreak.component} ${t.firstToBreak.resource} at ${driverText(t.firstToBreak.driverValues)} (${t.firstToBreak.scale.toFixed(2)}× today)${t.breaksWithinTier ? ' — before this tier’s bounds' : ''}`,
    );
  if (t.duration) lines.push(`- **Duration:** ${t.duration}`);
  if (t.checklist) lines.push(`- **Checklist:** ${t.checklist.done}/${t.checklist.total} done`);
  if (t.changes.length) lines.push('', ...t.changes.map((c) => `  - ${c}`));
  return lines.join('\n');
}

function breaking(r: Roadmap): string {
  const rows = r.breakingPoints.map((p) => [
    when(p.at, p.earliest, p.latest),
    `${p.component} ${p.resource}`,
    p.severity === 'capacity' ? 'full' : p.severity,
    formatRatio(p.threshold),
    formatRatio(p.utilizationNow),
    driverText(p.driverValues),
    p.basis,
    p.fix
      ? `${p.fix.tier}${p.fix.deltaMonthlyUsd !== undefined ? ` (+${formatMonthly(p.fix.deltaMonthlyUsd)})` : ''}`
      : (p.action ?? ''),
  ]);
  const boundaries = r.tiers
    .filter((t) => t.firstToBreak && t.position !== 'past')
    .map((t) => {
      const next = r.tiers[t.index + 1];
      const b = t.firstToBreak!;
      return `**${t.name} → ${next?.name ?? 'beyond the roadmap'}:** first to break: ${b.component} ${b.resource}, at ${driverText(b.driverValues)} (${b.scale.toFixed(2)}× today).`;
    });
  if (rows.length === 0 && boundaries.length === 0) return '';
  return [
    '## 💥 Breaking Points',
    '',
    ...(boundaries.length
      ? ['What fails first at each tier:', '', ...boundaries.flatMap((b) => [b, '']), '']
      : []),
    table(['when', 'resource', 'level', 'threshold', 'now', 'at', 'projected from', 'fix'], rows),
  ].join('\n');
}

function costs(r: Roadmap): string {
  const c = r.costs;
  const lines = ['## 💰 Cost Projections', ''];
  if (c.totalMonthlyUsd !== undefined)
    lines.push(`Now: **${formatMonthly(c.totalMonthlyUsd)}**${perUnit(c.perDriverUnit)}.`, '');
  const tierRows = r.tiers
    .filter((t) => t.monthlyCostUsd !== undefined)
    .map((t) => [
      t.name,
      formatMonthly(t.monthlyCostUsd),
      perUnit(t.costPerDriverUnit).replace(/^ \(|\)$/g, ''),
      t.breakEvenUnits === undefined ? '—' : String(t.breakEvenUnits),
      t.healthyUnits === undefined ? '—' : String(t.healthyUnits),
    ]);
  if (tierRows.length)
    lines.push(
      table(
        ['tier', 'monthly', 'per unit at its bounds', 'break-even', 'healthy margin'],
        tierRows,
      ),
      '',
    );
  if (c.units.length)
    lines.push(
      table(
        ['unit cost', 'price', 'volume / month', 'cost / month', 'how'],
        c.units.map((u) => [
          u.name,
          `$${u.priceUsd}`,
          formatCount(u.monthlyVolume),
          formatMonthly(u.monthlyUsd),
          u.note,
        ]),
      ),
      '',
    );
  if (c.revenue) {
    const v = c.revenue;
    lines.push(
      `Revenue: ${formatCount(v.units)} paying ${v.driver} × $${v.priceUsdPerMonth}/month = ${formatMonthly(v.monthlyRevenueUsd)}; break-even at ${v.breakEvenUnits ?? '—'}${v.healthyUnits !== undefined ? `, healthy at ${v.healthyUnits}` : ''}${v.margin !== undefined ? `; margin ${formatRatio(v.margin)}` : ''}.`,
    );
  }
  return lines.length > 2 ? lines.join('\n').trimEnd() : '';
}

function scenarios(r: Roadmap): string {
  if (r.scenarios.length === 0) return '';
  const parts = r.scenarios.map((s) => {
    const lines = [`### ${s.name}`];
    if (s.description) lines.push('', s.description);
    if (s.cause) lines.push('', `**Cause:** ${s.cause}`);
    const w = s.whatIf;
    if (w) {
      const breaks = w.resources.filter((x) => x.status !== 'ok' && x.status !== 'unknown');
      lines.push(
        '',
        `**Computed impact:** ${breaks.length ? breaks.map((x) => `${x.component} ${x.resource} at ${formatRatio(x.utilization)} (${x.status})`).join('; ') : 'every resource stays under its thresholds'}.`,
        `**Tier needed:** ${w.tier.needed ?? '—'} (${w.tier.reason}).`,
      );
      if (w.cost.deltaMonthlyUsd !== undefined)
        lines.push(
          `**Cost:** ${w.cost.deltaMonthlyUsd >= 0 ? '+' : ''}${formatMonthly(w.cost.deltaMonthlyUsd)}${w.cost.forDurationUsd !== undefined ? `, $${w.cost.forDurationUsd.toFixed(2)} for its duration` : ''}.`,
        );
    }
    if (s.impact.length) lines.push('', '**Impact (roadmap):**', ...s.impact.map((i) => `- ${i}`));
    if (s.response.length)
      lines.push(
        '',
        '**Response:**',
        ...s.response.map((x, i) => `${i + 1}. (${x.within}) ${x.action}`),
      );
    return lines.join('\n');
  });
  return ['## 🧯 Disaster Scenarios', ...parts].join('\n\n');
}

function checklist(r: Roadmap): string {
  if (r.checklists.length === 0) return '';
  const parts = r.checklists.map((c) => {
    const done = c.items.filter((i) => i.done).length;
    return [
      `### ${c.name} (${done}/${c.items.length})`,
      '',
      ...c.items.map(
        (i) =>
          `- [${i.done ? 'x' : ' '}] ${i.item}${i.loadtest ? ` — load test \`${i.loadtest}\`: ${loadTestRunText(i.lastRun)}` : ''}`,
      ),
    ].join('\n');
  });
  return ['## 🔧 Operational Readiness Checklist', ...parts].join('\n\n');
}

function footer(r: Roadmap): string {
  const lines: string[] = [];
  if (r.reviews.length)
    lines.push(
      '## 🔄 Review Schedule',
      '',
      ...r.reviews.map((x) => `- Every ${x.every}: ${x.what}${x.owner ? ` (${x.owner})` : ''}`),
    );
  if (r.changelog.length)
    lines.push(
      ...(lines.length ? [''] : []),
      '## Change Log',
      '',
      table(
        ['date', 'change', 'reason', 'impact'],
        r.changelog.map((c) => [c.date, c.change, c.reason ?? '', c.impact ?? '']),
      ),
    );
  return lines.join('\n');
}
