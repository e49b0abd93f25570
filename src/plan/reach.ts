/**
 * What a formula reaches in the graph: every node key it reads, directly or through other
 * formulas. Number code is compiled per set of overridden keys a formula reaches
 * (`number-evaluator.ts`); a forecast projects only the resources a trigger reaches
 * (`capacity/reach.ts`).
 */
import type { FormulaGraph } from './graph.ts';

/**
 * Every node key reachable from `start` (which it includes) through the graph's dependencies
 * and aliases, plus the edges `also` adds (which the graph does not hold).
 */
export function reachFrom(
  graph: FormulaGraph,
  start: readonly string[],
  also: (key: string) => readonly string[] = () => [],
): Set<string> {
  const keys = new Set<string>();
  const stack = [...start];
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
  return keys;
}
