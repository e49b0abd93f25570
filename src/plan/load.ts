/**
 * Loads a plan file: YAML (with positions) → `${ENV}` interpolation → schema validation →
 * compilation. Every problem found becomes a `HeadroomError` naming file, line, column and
 * field path; all problems of one file are reported together.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { closest } from 'fastest-levenshtein';
import type { z } from 'zod';
import { HeadroomError, HeadroomErrors } from '../errors.ts';
import { compilePlan } from './compile.ts';
import { firstDuplicateKey } from './duplicate-keys.ts';
import { interpolateEnv } from './env.ts';
import { PlanSchema, type RawPlan } from './schema.ts';
import { formatPath, SourceMap, type FieldPath } from './source-map.ts';
import type { Plan } from './types.ts';

const DUPLICATE_HINT = 'each key may appear once in a mapping; merge or rename the duplicates';

/** Options for loading a plan. */
export interface LoadOptions {
  /** Environment for `${VAR}` interpolation (default: process.env). */
  env?: Record<string, string | undefined>;
}

/** Reads, validates and compiles the plan at `file`. Throws `HeadroomErrors` listing every problem. */
export function loadPlan(file: string, options: LoadOptions = {}): Plan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new HeadroomError(
      'PLAN_NOT_FOUND',
      `cannot read plan ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      {
        file,
        hint: 'check the path, or run `headroom init` to write a plan',
        cause: err,
      },
    );
  }
  return parsePlan(text, file, options);
}

/** Validates and compiles plan text; `file` is used in messages only. */
export function parsePlan(text: string, file: string, options: LoadOptions = {}): Plan {
  const { raw, map } = parseRawPlan(text, file, options);
  return { ...compilePlan(raw, map), text };
}

/** YAML + env + schema, without compilation. */
export function parseRawPlan(
  text: string,
  file: string,
  options: LoadOptions = {},
): { raw: RawPlan; map: SourceMap } {
  const lines = new LineCounter();
  // Duplicate keys are found by firstDuplicateKey (linear) rather than by the library.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const map = new SourceMap(file, doc, lines);
  const duplicate = doc.errors.length === 0 ? firstDuplicateKey(doc) : undefined;
  if (duplicate) {
    const { line, col } = lines.linePos(duplicate.offset);
    throw new HeadroomErrors([
      new HeadroomError('PLAN_DUPLICATE', `Map keys must be unique: "${duplicate.key}" repeats`, {
        file,
        line,
        column: col,
        hint: DUPLICATE_HINT,
      }),
    ]);
  }
  if (doc.errors.length > 0) {
    // Later YAML errors are nearly always echoes of the first; report that one.
    throw new HeadroomErrors(
      doc.errors.slice(0, 1).map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        return new HeadroomError('PLAN_YAML', firstLine(e.message), {
          file,
          line,
          column: col,
          hint: 'fix the YAML syntax here (indentation, a missing ":" or an unclosed quote are the usual causes)',
        });
      }),
    );
  }
  const errors: HeadroomError[] = [];
  const interpolated = interpolateEnv(doc.toJS(), options.env ?? process.env, map, errors);
  if (errors.length > 0) throw new HeadroomErrors(errors);
  if (interpolated === null || typeof interpolated !== 'object' || Array.isArray(interpolated)) {
    throw new HeadroomError('PLAN_SCHEMA', 'the plan must be a YAML mapping (version, name, ...)', {
      file,
      line: 1,
      column: 1,
      hint: 'start from `headroom init --template irisx` or see docs/plan.md',
    });
  }
  const result = PlanSchema.safeParse(interpolated);
  if (!result.success) {
    throw new HeadroomErrors(result.error.issues.flatMap((i) => issueErrors(i, map, interpolated)));
  }
  return { raw: result.data, map };
}

type Issue = z.core.$ZodIssue;

function issueErrors(issue: Issue, map: SourceMap, root: unknown): HeadroomError[] {
  const path = issue.path as FieldPath;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const known = knownKeys(path);
      const guess = known.length > 0 ? closest(key, known) : undefined;
      const hint = guess
        ? `did you mean "${guess}"? Fields here: ${known.join(', ')}`
        : 'remove it; see docs/plan.md for the fields of each section';
      return new HeadroomError('PLAN_UNKNOWN_FIELD', `unknown field "${key}"`, {
        ...map.locate([...path, key], { key: true }),
        hint,
      });
    });
  }
  if (issue.code === 'invalid_union') {
    const branch = bestBranch(issue.errors);
    if (branch)
      return branch.flatMap((i) =>
        issueErrors({ ...i, path: [...path, ...i.path] } as Issue, map, root),
      );
  }
  return [
    new HeadroomError('PLAN_SCHEMA', describeIssue(issue, valueAt(root, path)), {
      ...map.locate(path),
      hint: hintFor(path),
    }),
  ];
}

/** The union branch the user most likely meant: the one that got past the type check. */
function bestBranch(branches: Issue[][]): Issue[] | undefined {
  const typed = branches.filter(
    (b) => !b.every((i) => i.code === 'invalid_type' && i.path.length === 0),
  );
  return typed.sort((a, b) => a.length - b.length)[0];
}

function describeIssue(issue: Issue, value: unknown): string {
  const got = value === undefined ? 'nothing' : JSON.stringify(value);
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined
        ? `missing required field (expected ${issue.expected})`
        : `expected ${issue.expected}, got ${got}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${got}`;
    case 'invalid_union':
      return `${got} is not a valid value here`;
    default:
      return `${issue.message} (got ${got})`;
  }
}

function hintFor(path: FieldPath): string {
  const section = path[0] === undefined ? 'the plan' : String(path[0]);
  return `see the "${section}" section of docs/plan.md for what ${formatPath(path) || 'this'} accepts`;
}

function valueAt(root: unknown, path: FieldPath): unknown {
  let v: unknown = root;
  for (const part of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[part];
  }
  return v;
}

interface SchemaDef {
  type: string;
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
  innerType?: { _zod: { def: SchemaDef } };
  element?: { _zod: { def: SchemaDef } };
  valueType?: { _zod: { def: SchemaDef } };
  options?: { _zod: { def: SchemaDef } }[];
}

/** Field names the schema allows at `path`, for "did you mean". */
function knownKeys(path: FieldPath): string[] {
  let defs: SchemaDef[] = [(PlanSchema as unknown as { _zod: { def: SchemaDef } })._zod.def];
  for (const part of path) defs = defs.flatMap((d) => step(unwrap(d), part));
  const objects = defs
    .map(unwrap)
    .flatMap((d) => (d.type === 'union' ? (d.options ?? []).map((o) => unwrap(o._zod.def)) : [d]));
  return [...new Set(objects.flatMap((d) => Object.keys(d.shape ?? {})))];
}

function unwrap(def: SchemaDef): SchemaDef {
  if (def.type === 'optional' && def.innerType) return unwrap(def.innerType._zod.def);
  return def;
}

function step(def: SchemaDef, part: string | number): SchemaDef[] {
  if (def.type === 'union')
    return (def.options ?? []).flatMap((o) => step(unwrap(o._zod.def), part));
  if (def.type === 'object') {
    const child = def.shape?.[String(part)];
    return child ? [child._zod.def] : [];
  }
  if (def.type === 'array' && def.element) return [def.element._zod.def];
  if (def.type === 'record' && def.valueType) return [def.valueType._zod.def];
  return [];
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
