/**
 * Compiles `sources` and `metrics`: each source kind validates its own options and each
 * metric's selector; derived metrics (`expr`) become formula nodes.
 */
import { sourceKinds } from '../sources/index.ts';
import type { CompileContext } from './context.ts';
import type { PlanMetric } from './types.ts';
import { toQuantity } from './units.ts';

const GENERIC_METRIC_KEYS = new Set(['from', 'expr', 'unit', 'description', 'labels']);

/** Checks sources and compiles metrics into the graph; returns metrics by name. */
export function compileSourcesAndMetrics(ctx: CompileContext): Record<string, PlanMetric> {
  const sources = ctx.raw.sources ?? {};
  for (const [name, source] of Object.entries(sources)) {
    const kind = sourceKinds[source.kind];
    if (!kind) {
      ctx.unknown(['sources', name, 'kind'], 'source kind', source.kind, Object.keys(sourceKinds));
      continue;
    }
    const { kind: _kind, ...options } = source;
    for (const issue of kind.validate(options)) {
      ctx.fail(
        'SOURCE_CONFIG',
        ['sources', name, ...issue.path.split('.').filter(Boolean)],
        issue.message,
        `see the "${source.kind}" source in docs/sources.md`,
      );
    }
  }
  const out: Record<string, PlanMetric> = {};
  for (const [name, m] of Object.entries(ctx.raw.metrics ?? {})) {
    const path = ['metrics', name];
    const select = Object.fromEntries(
      Object.entries(m).filter(([k]) => !GENERIC_METRIC_KEYS.has(k)),
    );
    const { unit, scale } = metricUnit(ctx, m.unit, [...path, 'unit']);
    const metric: PlanMetric = {
      name,
      source: m.from,
      select,
      unit,
      scale,
      labels: m.labels ?? {},
      description: m.description,
    };
    if ((m.from === undefined) === (m.expr === undefined)) {
      ctx.fail(
        'PLAN_SCHEMA',
        path,
        `metric "${name}" needs exactly one of "from" (a source) or "expr" (a formula)`,
        "write `from: <source name>` with the source's selector, or `expr: <formula over other metrics>`",
      );
    } else if (m.expr !== undefined) {
      const expr = ctx.expr(m.expr, [...path, 'expr']);
      if (expr) {
        metric.expr = expr;
        ctx.graph.add({
          key: `metrics.${name}`,
          path: [...path, 'expr'],
          expr,
          deps: ctx.graph.dependencies(expr),
        });
      }
    } else {
      checkSourceMetric(ctx, name, m.from!, select);
      ctx.graph.add({ key: `metrics.${name}`, path, deps: [], input: { metric: name, unit } });
    }
    out[name] = metric;
  }
  return out;
}

function checkSourceMetric(
  ctx: CompileContext,
  name: string,
  from: string,
  select: Record<string, unknown>,
): void {
  const source = ctx.raw.sources?.[from];
  if (!source) {
    ctx.unknown(['metrics', name, 'from'], 'source', from, Object.keys(ctx.raw.sources ?? {}));
    return;
  }
  const kind = sourceKinds[source.kind];
  if (!kind) return;
  const { kind: _kind, ...options } = source;
  for (const issue of kind.validate(options, select)) {
    if (
      issue.path === '' ||
      Object.hasOwn(select, issue.path.split('.')[0]!) ||
      !Object.hasOwn(options, issue.path.split('.')[0]!)
    ) {
      ctx.fail(
        'SOURCE_CONFIG',
        ['metrics', name, ...issue.path.split('.').filter(Boolean)],
        issue.message,
        `see the "${source.kind}" source in docs/sources.md`,
      );
    }
  }
}

/** Canonical unit of a metric and the factor from the unit its source reports in. */
function metricUnit(
  ctx: CompileContext,
  text: string | undefined,
  path: (string | number)[],
): { unit: string; scale: number } {
  if (text === undefined || text === '' || text === '1') return { unit: '', scale: 1 };
  if (text === '%' || text === 'percent') return { unit: '', scale: 0.01 };
  try {
    const q = toQuantity(ctx.units, ctx.units.math.unit(1, text));
    return { unit: q.unit, scale: q.value };
  } catch {
    ctx.fail(
      'PLAN_UNIT',
      path,
      `"${text}" is not a unit`,
      'write a unit such as B, GB, s, ms, msg/s or % (the unit the source reports values in)',
    );
    return { unit: '', scale: 1 };
  }
}
