/**
 * What an expression reaches in the formula graph: every node key it reads, directly or through
 * other formulas. A forecast that evaluates one trigger at many times projects only the
 * resources the trigger reads, not the whole plan's: on a plan of 1,000 components that is the
 * difference between linear and quadratic.
 */
import type { CompiledExpression } from '../plan/expression.ts';
import type { FormulaGraph } from '../plan/graph.ts';
import { reachFrom } from '../plan/reach.ts';

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
  let keys = reached.get(expr);
  if (!keys) {
    keys = reachFrom(graph, graph.dependencies(expr), also);
    reached.set(expr, keys);
  }
  return keys;
}
