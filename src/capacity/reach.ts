/**
 * What an expression reaches in the formula graph: every node key it reads, directly or through
 * other formulas. A forecast that evaluates one trigger at many times projects only the
 * resources the trigger reads, not the whole plan's: on a plan of 1,000 components that is the
 * difference between linear and quadratic.
 */
import type { CompiledExpression } from '../plan/expression.ts';
import type { FormulaGraph } from '../plan/graph.ts';

const reached = new WeakMap<CompiledExpression, ReadonlySet<string>>();

/**
 * Every graph node key `expr` depends on, transitively (found once per expression). `also`
 * adds edges the graph does not hold: a projection replaces a resource's usage by its model, so
 * the usage reaches what the model reads. It must be the same function for every call on one
 * plan's expressions.
 */
export function reachedKeys(
  graph: FormulaGraph,
  expr: CompiledExpression,
  also: (key: string) => readonly string[] = () => [],
): ReadonlySet<string> {
  const cached = reached.get(expr);
  if (cached) return cached;
  const keys = new Set<string>();
  const stack = graph.dependencies(expr);
  while (stack.length > 0) {
    const key = stack.pop()!;
    if (keys.has(key)) continue;
    keys.add(key);
    stack.push(...also(key));
    const node = graph.nodes.get(key);
    if (node) {
      stack.push(...node.deps);
      if (node.alias !== undefined) stack.push(node.alias);
    }
  }
  reached.set(expr, keys);
  return keys;
}
