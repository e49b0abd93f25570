/**
 * Compiles a mathjs parse tree to number code over SI values. Each node is first evaluated the
 * way mathjs evaluates it (the same function on the same arguments) at the probe inputs, which
 * gives its kind — plain number or Unit, and which dimension — and, for a node that reads no
 * input, its exact value, folded into a constant (`5 GB`, `70%`, `unit("min")`). Nodes that read
 * inputs become number code (`number-ops.ts`). Whatever has no exact number form (a node type or
 * function not supported, an offset unit, a Unit whose power depends on an input, branches of
 * different kinds) makes the whole tree uncompilable: the caller keeps the mathjs path.
 */
import type { MathJsInstance, MathNode, Unit } from 'mathjs';
import { kindsOf, numberOp, type Part, type SiFn, type Tolerance } from './number-ops.ts';
import { kindOf, siOf } from './si-scale.ts';

/** What the tree's symbols and dotted paths read: slots filled before the tree runs. */
export interface AstScope {
  /** The mathjs instance (the plan's unit system). */
  math: MathJsInstance;
  /** Tolerances of mathjs's comparisons. */
  tolerance: Tolerance;
  /** Slot of a scope symbol (`pool_size`, `sms$worker`, `__window0`) or path (`nats.storage.utilization`). */
  slots: ReadonlyMap<string, Part>;
  /** Every name the mathjs scope holds, slots or not (a path's head is an object there). */
  scopeNames: ReadonlySet<string>;
  /** Names outside the scope already resolved (units, constants), shared between trees. */
  names: Map<string, Part | undefined>;
}

/** A constant part: its exact value, and its number form when it has one. */
export function constantPart(value: unknown): Part {
  const si = siOf(value);
  return { probe: value, constant: true, si: si === undefined ? undefined : () => si };
}

/** The tree's part, or undefined when it has no exact number form. */
export function compileAst(node: MathNode, scope: AstScope): Part | undefined {
  const n = node as unknown as Record<string, unknown>;
  switch (node.type) {
    case 'ConstantNode':
      return constantPart(n.value);
    case 'ParenthesisNode':
      return compileAst(n.content as MathNode, scope);
    case 'SymbolNode':
      return symbol(n.name as string, scope);
    case 'AccessorNode': {
      const path = accessorPath(node);
      return path === undefined ? undefined : scope.slots.get(path);
    }
    case 'OperatorNode':
      return call(n.fn as string, n.args as MathNode[], scope);
    case 'FunctionNode': {
      const fn = n.fn as MathNode;
      if (fn.type !== 'SymbolNode') return undefined;
      const name = (fn as unknown as { name: string }).name;
      return scope.scopeNames.has(name) ? undefined : call(name, n.args as MathNode[], scope);
    }
    case 'ConditionalNode':
      return conditional(
        compileAst(n.condition as MathNode, scope),
        compileAst(n.trueExpr as MathNode, scope),
        compileAst(n.falseExpr as MathNode, scope),
      );
    default:
      return undefined;
  }
}

/** A symbol as mathjs resolves it: the scope, then mathjs's own names, then a valueless unit. */
function symbol(name: string, scope: AstScope): Part | undefined {
  const slot = scope.slots.get(name);
  if (slot !== undefined) return slot;
  if (scope.scopeNames.has(name)) return undefined;
  if (!scope.names.has(name)) scope.names.set(name, outsideName(name, scope.math));
  return scope.names.get(name);
}

/** A name mathjs resolves outside the scope: one of its own (`pi`, `max`), or a unit (`GB`). */
function outsideName(name: string, mathjs: MathJsInstance): Part | undefined {
  const math = mathjs as unknown as Record<string, unknown>;
  if (name in math) return constantPart(math[name]);
  if (mathjs.Unit.isValuelessUnit(name)) {
    const Unit = mathjs.Unit as unknown as new (value: null, name: string) => Unit;
    return constantPart(new Unit(null, name));
  }
  return undefined;
}

/** `a.b.c` as the text `a.b.c` when the node is a chain of string accessors on a symbol. */
function accessorPath(node: MathNode): string | undefined {
  const parts: string[] = [];
  let current = node as unknown as Record<string, unknown>;
  while (current.type === 'AccessorNode') {
    const dims = (current.index as { dimensions: Record<string, unknown>[] }).dimensions;
    const dim = dims[0];
    if (dims.length !== 1 || dim?.type !== 'ConstantNode' || typeof dim.value !== 'string') {
      return undefined;
    }
    parts.unshift(dim.value);
    current = current.object as Record<string, unknown>;
  }
  if (current.type !== 'SymbolNode') return undefined;
  parts.unshift(current.name as string);
  return parts.join('.');
}

/** A call of mathjs function `name` (an operator's or a called one) on compiled arguments. */
function call(name: string, argNodes: MathNode[], scope: AstScope): Part | undefined {
  const parts: Part[] = [];
  for (const arg of argNodes) {
    const part = compileAst(arg, scope);
    if (part === undefined) return undefined;
    parts.push(part);
  }
  return applyFunction(name, parts, scope);
}

/**
 * mathjs function `name` applied to parts: folded when they are all constant, else number code
 * when `number-ops.ts` has one for their kinds.
 */
export function applyFunction(
  name: string,
  parts: Part[],
  scope: Pick<AstScope, 'math' | 'tolerance'>,
): Part | undefined {
  const f = (scope.math as unknown as Record<string, unknown>)[name];
  if (typeof f !== 'function' || (f as { rawArgs?: boolean }).rawArgs === true) return undefined;
  let probe: unknown;
  try {
    probe = (f as (...args: unknown[]) => unknown)(...parts.map((p) => p.probe));
  } catch {
    return undefined;
  }
  if (parts.every((p) => p.constant)) return constantPart(probe);
  const kinds = kindsOf(parts);
  if (kinds === undefined || kindOf(probe) === undefined) return undefined;
  const fns: SiFn[] = [];
  for (const p of parts) {
    if (p.si === undefined) return undefined;
    fns.push(p.si);
  }
  const si = numberOp(name, { parts, fns, kinds, math: scope.math, tolerance: scope.tolerance });
  return si === undefined ? undefined : { probe, constant: false, si };
}

/** mathjs's truth of a condition, for the kinds number code has. */
function truthOf(value: unknown): boolean {
  if (typeof value === 'number' || typeof value === 'boolean') return !!value;
  return !!(value as { value: unknown }).value;
}

/** `c ? a : b`: both branches must be of one kind (and one dimension), only one runs. */
function conditional(
  test: Part | undefined,
  yes: Part | undefined,
  no: Part | undefined,
): Part | undefined {
  if (test === undefined || yes === undefined || no === undefined) return undefined;
  const kinds = kindsOf([test, yes, no]);
  if (kinds === undefined) return undefined;
  const probe = truthOf(test.probe) ? yes.probe : no.probe;
  if (test.constant && yes.constant && no.constant) return constantPart(probe);
  if (kinds[1] !== kinds[2]) return undefined;
  if (kinds[1] === 'unit' && !(yes.probe as Unit).equalBase(no.probe as Unit)) return undefined;
  const [t, y, n] = [test.si, yes.si, no.si];
  if (t === undefined || y === undefined || n === undefined) return undefined;
  return { probe, constant: false, si: (m) => (t(m) ? y(m) : n(m)) };
}
