/**
 * Every window function and aggregation a plan uses, in its triggers and its formulas, each
 * once by key: the inputs the runtime and replay must derive from the collected series.
 */
import type { WindowRef } from './expression.ts';
import type { Plan } from './types.ts';

const windowsOf = new WeakMap<Plan, { revision: number; windows: WindowRef[] }>();

/** The plan's window and aggregation references, unique by key (found once per graph revision). */
export function planWindows(plan: Plan): WindowRef[] {
  const cached = windowsOf.get(plan);
  if (cached?.revision === plan.graph.revision) return cached.windows;
  const byKey = new Map<string, WindowRef>();
  const exprs = [
    ...plan.triggers.map((t) => t.expr),
    ...[...plan.graph.nodes.values()].flatMap((n) => (n.expr ? [n.expr] : [])),
  ];
  for (const expr of exprs) for (const w of expr.windows) byKey.set(w.key, w);
  const windows = [...byKey.values()];
  windowsOf.set(plan, { revision: plan.graph.revision, windows });
  return windows;
}
