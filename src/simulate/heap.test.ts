import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimeHeap } from './heap.ts';
import { Rng } from './rng.ts';

describe('time heap', () => {
  it('pops in ascending order while growing', () => {
    const heap = new TimeHeap(2);
    const rng = new Rng(9);
    const values: number[] = [];
    for (let i = 0; i < 5_000; i++) {
      const v = Math.floor(rng.uniform() * 1000);
      values.push(v);
      heap.push(v);
    }
    values.sort((a, b) => a - b);
    const out: number[] = [];
    while (heap.size > 0) out.push(heap.pop());
    assert.deepEqual(out, values);
    assert.equal(heap.pop(), Infinity);
    assert.equal(heap.peek(), Infinity);
  });
});
