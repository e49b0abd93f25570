/**
 * Maps a field path inside a parsed YAML document back to its line and column, so every plan
 * error can name where it is. Paths are arrays of keys and indexes, as zod reports them.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';
import type { ErrorLocation } from '../errors.ts';

/** A path into the plan document: object keys and array indexes. */
export type FieldPath = readonly (string | number)[];

/** Renders a path as users read it: `triggers[2].warning.when`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/** Positions of fields of one YAML document. */
export class SourceMap {
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Location of the value at `path` (or of its key, with `key: true`); nearest parent if absent. */
  locate(path: FieldPath, options: { key?: boolean } = {}): ErrorLocation {
    const offset = this.offsetOf(path, options.key ?? false);
    const location: ErrorLocation = { file: this.file, path: formatPath(path) };
    if (offset === undefined) return location;
    const { line, col } = this.lines.linePos(offset);
    return { ...location, line, column: col };
  }

  private offsetOf(path: FieldPath, wantKey: boolean): number | undefined {
    let node: unknown = this.doc.contents;
    let offset = rangeStart(node);
    for (let i = 0; i < path.length; i++) {
      const part = path[i]!;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(part));
        if (!pair) return offset;
        if (last && wantKey) return rangeStart(pair.key) ?? offset;
        node = pair.value;
        offset = rangeStart(pair.value) ?? rangeStart(pair.key) ?? offset;
      } else if (isSeq(node) && typeof part === 'number') {
        node = node.items[part];
        offset = rangeStart(node) ?? offset;
      } else {
        return offset;
      }
    }
    return offset;
  }
}

function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}
