/**
 * `loadtest --write`: records a measured capacity in the plan file itself, under
 * `components.<c>.measured.<resource>`, beside the formula it stands against — so a reader of
 * the plan sees both, `validate` checks it like every other field, and no second file has to
 * travel with the plan. (A measurements file the plan references was the alternative; it would
 * split one component's capacity over two files and need its own schema and locations.)
 *
 * The edit keeps the user's text: the `yaml` library's Document API finds the nodes and their
 * source ranges, and the library renders the new entry, which is spliced into the original
 * text. Re-rendering the whole document (`doc.toString()`) would re-fold long strings and
 * re-pad flow collections — hundreds of changed lines on the example plans — so only the edited
 * block is new text; comments, key order, quoting and `${VAR}` references elsewhere are kept
 * byte for byte. An older measurement of the same resource is replaced. The result is loaded
 * and compiled before the file is replaced (atomically, by rename); if it does not compile,
 * the file is left as it was.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isMap, isPair, isScalar, parseDocument, stringify, type Pair, type YAMLMap } from 'yaml';
import { asHeadroomErrors, HeadroomError } from '../errors.ts';
import { loadPlan, parsePlan } from '../plan/load.ts';
import type { Plan } from '../plan/types.ts';
import { toQuantity } from '../plan/units.ts';
import type { MeasuredCapacity } from './types.ts';

/** Records `m` in the plan at `file` (replacing an older measurement of the same resource). */
export function writeMeasured(file: string, m: MeasuredCapacity): void {
  const plan = loadPlan(file);
  const entry = measuredEntry(plan, m);
  const text = readFileSync(file, 'utf8');
  const updated = spliceMeasured(text, file, m.component, m.resource, entry);
  try {
    parsePlan(updated, file);
  } catch (err) {
    const first = asHeadroomErrors(err)[0];
    throw new HeadroomError(
      'LOADTEST_CONFIG',
      `the measurement would leave ${file} invalid: ${first?.message ?? String(err)}`,
      { file, hint: 'the plan was not changed; record the measurement by hand', cause: err },
    );
  }
  const temporary = `${file}.headroom-${process.pid}.tmp`;
  writeFileSync(temporary, updated);
  renameSync(temporary, file);
}

/** The entry as written in the plan: the value as a readable quantity in the resource's unit. */
function measuredEntry(plan: Plan, m: MeasuredCapacity): Record<string, unknown> {
  const c = plan.raw.components?.[m.component];
  const field =
    c?.capacity?.[m.resource] !== undefined
      ? 'capacity'
      : c?.per_replica?.[m.resource] !== undefined
        ? 'per_replica'
        : undefined;
  if (!c || !field) {
    throw new HeadroomError(
      'LOADTEST_CONFIG',
      `${plan.file} has no capacity ${m.component}.${m.resource} to record a measurement for`,
      {
        file: plan.file,
        hint: `declare components.${m.component}.capacity.${m.resource} (or per_replica) first, or measure another resource with \`measures:\``,
      },
    );
  }
  const unit = toQuantity(
    plan.units,
    plan.graph.evaluate(
      `components.${m.component}.${field}.${m.resource}`,
      plan.graph.probeInputs(),
    ),
  ).unit;
  const texts = (['capacity', 'per_replica', 'usage', 'model'] as const).map((f) =>
    String(c[f]?.[m.resource] ?? ''),
  );
  const noun = countNoun(plan, texts);
  const entry: Record<string, unknown> = {
    value: plainWhenNumber(readableQuantity(m.value, unit, noun)),
    per: m.perReplica ? 'replica' : 'total',
  };
  if (m.replicas !== undefined) entry.replicas = m.replicas;
  entry.held = m.held;
  entry.at = m.at;
  entry.scenario = m.scenario;
  entry.method = m.method;
  if (m.formula !== undefined)
    entry.formula = plainWhenNumber(readableQuantity(m.formula, unit, noun));
  return entry;
}

/** `41` as the number 41, so YAML writes it bare rather than as the string "41". */
function plainWhenNumber(text: string): string | number {
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

const NOUN = /\d\s*([A-Za-z][A-Za-z0-9]*)\s*(?:\/|$)/;

/** The count noun the resource is written in (`100 job/s` → `job`), unless a plan name hides it. */
function countNoun(plan: Plan, texts: string[]): string | undefined {
  const names = new Set(
    (['params', 'drivers', 'metrics', 'components'] as const).flatMap((s) =>
      Object.keys(plan.raw[s] ?? {}),
    ),
  );
  for (const t of texts) {
    const noun = NOUN.exec(t)?.[1];
    // A count noun is dimensionless (`job`, `conn`); `GB` or `ms` are units of the dimension.
    if (noun && plan.units.isUnit(noun) && !names.has(noun) && unitOf(plan, noun) === '') {
      return noun;
    }
  }
  return undefined;
}

function unitOf(plan: Plan, noun: string): string | undefined {
  try {
    return toQuantity(plan.units, plan.units.math.evaluate(`1 ${noun}`)).unit;
  } catch {
    return undefined;
  }
}

const BYTE_UNITS: [string, number][] = [
  ['TB', 1e12],
  ['GB', 1e9],
  ['MB', 1e6],
  ['kB', 1e3],
];

/** A canonical number as plan text: `41 req/s`, `120 job/s`, `2.5 GB`, `10000 conn`. */
export function readableQuantity(value: number, unit: string, noun?: string): string {
  const n = (v: number): string => String(Number(v.toPrecision(4)));
  switch (unit) {
    case '1/s':
      return noun ? `${n(value)} ${noun}/s` : `${n(value)}/s`;
    case '':
      return noun ? `${n(value)} ${noun}` : n(value);
    case 'B': {
      const [name, size] = BYTE_UNITS.find(([, s]) => Math.abs(value) >= s) ?? ['B', 1];
      return `${n(value / size)} ${name}`;
    }
    case 's':
      return `${n(value)} s`;
    default:
      return `${n(value)} ${unit}`;
  }
}

/** `text` with `entry` at `components.<component>.measured.<resource>`; only that block changes. */
export function spliceMeasured(
  text: string,
  file: string,
  component: string,
  resource: string,
  entry: Record<string, unknown>,
): string {
  const doc = parseDocument(text);
  const node = doc.getIn(['components', component]);
  if (!isMap(node) || !node.range) {
    throw new HeadroomError('LOADTEST_CONFIG', `${file} has no component "${component}"`, {
      file,
      hint: 'measure a component the plan declares',
    });
  }
  const measured: unknown = node.get('measured', true);
  if (measured !== undefined && !isMap(measured)) {
    throw new HeadroomError(
      'LOADTEST_CONFIG',
      `components.${component}.measured in ${file} is not a mapping`,
      {
        file,
        hint: 'fix it (headroom validate says how), then write the measurement again',
      },
    );
  }
  if (node.flow || (isMap(measured) && measured.flow)) {
    // A flow mapping is one node on one line: render it again with the entry in it.
    const target = node.flow ? node : (measured as YAMLMap);
    doc.setIn(['components', component, 'measured', resource], doc.createNode(entry));
    // Its trailing comment stays where it is in the text, after the node.
    target.comment = null;
    const rendered = stringify(target, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd();
    return replace(text, target.range![0], target.range![1], rendered);
  }
  if (!isMap(measured)) {
    const block = indent(
      stringify({ measured: { [resource]: entry } }, { lineWidth: 0 }),
      itemIndent(text, node),
    );
    return insertAfter(text, node, block);
  }
  const existing = measured.items.find(
    (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === resource,
  ) as Pair | undefined;
  if (existing && isScalar(existing.key) && existing.key.range) {
    const valueEnd =
      (existing.value as { range?: number[] } | null)?.range?.[1] ?? existing.key.range[1];
    const inner = itemIndent(text, measured) + '  ';
    const block = indent(stringify(entry, { lineWidth: 0 }), inner).trimEnd();
    // A block value's range takes in its last line break; keep one there.
    const lineBreak = text[valueEnd - 1] === '\n' ? '\n' : '';
    return replace(text, existing.key.range[1], valueEnd, `:\n${block}${lineBreak}`);
  }
  const block = indent(
    stringify({ [resource]: entry }, { lineWidth: 0 }),
    itemIndent(text, measured),
  );
  return insertAfter(text, measured, block);
}

/** The indentation of a block mapping's keys. */
function itemIndent(text: string, map: YAMLMap): string {
  const first = map.items[0];
  const start = isPair(first) && isScalar(first.key) ? first.key.range?.[0] : map.range?.[0];
  const lineStart = text.lastIndexOf('\n', (start ?? 1) - 1) + 1;
  return text.slice(lineStart, start).replace(/\S.*$/, '');
}

/** Inserts `block` after the line holding the mapping's last value (before comments that follow it). */
function insertAfter(text: string, map: YAMLMap, block: string): string {
  const last = map.items[map.items.length - 1];
  const end =
    (isPair(last)
      ? ((last.value as { range?: number[] } | null)?.range?.[1] ??
        (last.key as { range?: number[] }).range?.[1])
      : undefined) ?? map.range![1];
  // A block scalar's range ends after its line break; a flow or plain value's before it.
  const lineEnd = text.indexOf('\n', end - 1);
  const at = lineEnd === -1 ? text.length : lineEnd + 1;
  const before = lineEnd === -1 ? `${text}\n` : text.slice(0, at);
  return before + block + text.slice(at);
}

function indent(block: string, prefix: string): string {
  return block
    .split('\n')
    .map((line) => (line === '' ? line : prefix + line))
    .join('\n');
}

function replace(text: string, start: number, end: number, by: string): string {
  return text.slice(0, start) + by + text.slice(end);
}
