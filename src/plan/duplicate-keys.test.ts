import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { firstDuplicateKey } from './duplicate-keys.ts';

function duplicate(text: string): { line: number; key: string } | undefined {
  const found = firstDuplicateKey(parseDocument(text, { uniqueKeys: false }));
  if (!found) return undefined;
  return { line: text.slice(0, found.offset).split('\n').length, key: found.key };
}

describe('firstDuplicateKey', () => {
  it('finds none in a document whose keys are unique in each mapping', () => {
    assert.equal(duplicate('a: { x: 1 }\nb: { x: 2 }\nc: [ { x: 1 }, { x: 2 } ]\n'), undefined);
  });

  it('points at the repeated key, in block and in flow mappings', () => {
    assert.deepEqual(duplicate('a: 1\nb: 2\na: 3\n'), { line: 3, key: 'a' });
    assert.deepEqual(duplicate('m:\n  s: { kind: host, kind: x }\n'), { line: 2, key: 'kind' });
  });

  it('reports the first repeat in text order, however deep', () => {
    const text = 'outer:\n  inner:\n    k: 1\n    k: 2\nother: 1\nouter: 2\n';
    assert.deepEqual(duplicate(text), { line: 4, key: 'k' });
  });

  it('tells the number 1 from the string "1", as YAML does', () => {
    assert.equal(duplicate('1: a\n"1": b\n'), undefined);
    assert.deepEqual(duplicate('"x": a\nx: b\n'), { line: 2, key: 'x' });
  });

  it('finds a repeat among 50,000 keys of one mapping', () => {
    const text = Array.from({ length: 50_000 }, (_, i) => `k${i}: ${i}`).join('\n');
    assert.deepEqual(duplicate(`${text}\nk7: again\n`), { line: 50_001, key: 'k7' });
  });
});
