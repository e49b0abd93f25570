/**
 * A binary min-heap of numbers (event times) in a growable Float64Array: push and pop are
 * O(log n) and allocate nothing once the array is big enough. The simulator keeps its pending
 * service completions here; the other event streams are already in time order.
 */
export class TimeHeap {
  private items: Float64Array;
  private count = 0;

  /** An empty heap with room for `capacity` times before it grows. */
  constructor(capacity = 64) {
    this.items = new Float64Array(Math.max(1, capacity));
  }

  /** The number of times held. */
  get size(): number {
    return this.count;
  }

  /** The smallest time, or Infinity when empty. */
  peek(): number {
    return this.count > 0 ? this.items[0]! : Infinity;
  }

  /** Adds a time. */
  push(t: number): void {
    if (this.count === this.items.length) {
      const bigger = new Float64Array(this.items.length * 2);
      bigger.set(this.items);
      this.items = bigger;
    }
    const a = this.items;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = a[parent]!;
      if (p <= t) break;
      a[i] = p;
      i = parent;
    }
    a[i] = t;
  }

  /** Removes and returns the smallest time (Infinity when empty). */
  pop(): number {
    if (this.count === 0) return Infinity;
    const a = this.items;
    const top = a[0]!;
    const last = a[--this.count]!;
    const n = this.count;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && a[right]! < a[child]!) child = right;
      if (a[child]! >= last) break;
      a[i] = a[child]!;
      i = child;
    }
    if (n > 0) a[i] = last;
    return top;
  }
}
