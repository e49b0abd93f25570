/**
 * Duplicate mapping keys of a YAML document, found in one pass. The yaml library's own check
 * (`uniqueKeys`) compares each key with every earlier key of its mapping, which is quadratic: a
 * plan with 20,000 metrics spent seconds in it. Keys are equal as the library defines it: the
 * same scalar value (a non-scalar key equals only itself).
 */
import { isMap, isScalar, visit, type Document } from 'yaml';

/** A key that repeats an earlier key of its mapping: where it starts, and its text. */
export interface DuplicateKey {
  /** Offset of the repeated key in the document text. */
  offset: number;
  /** The key as written. */
  key: string;
}

/** The first duplicate key of `doc` in text order, or undefined when every key is unique. */
export function firstDuplicateKey(doc: Document): DuplicateKey | undefined {
  let first: DuplicateKey | undefined;
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        if (!isScalar(key)) continue;
        const value: unknown = key.value;
        // `1` and `"1"` are different keys, as in the library's check.
        const id = typeof value === 'string' ? `s:${value}` : value;
        if (!seen.has(id)) {
          seen.add(id);
          continue;
        }
        const offset = key.range?.[0] ?? 0;
        if (first === undefined || offset < first.offset) first = { offset, key: String(value) };
      }
    },
  });
  return first;
}
