/**
 * An in-memory cache of series ids for the SQLite store: appends look up each sample's series
 * without building a key string (see `SeriesIdCache`).
 */
import type { Labels } from '../sources/source.ts';

/** One node of the series-id cache: it branches on the values of one label. */
class LabelNode {
  /** Label whose values this node branches on; set by the first label set that goes past it. */
  label: string | undefined;
  /** Id of the series whose label set ends at this node. */
  id: number | undefined;
  // Below the first label that tells series apart most nodes have one child: keep it inline and
  // allocate a Map only for a second one.
  private firstValue: string | undefined;
  private firstChild: LabelNode | undefined;
  private others: Map<string, LabelNode> | undefined;

  /** The child for one value of `label`, if any. */
  child(value: string): LabelNode | undefined {
    return value === this.firstValue ? this.firstChild : this.others?.get(value);
  }

  /** The child for one value of `label`, created when missing. */
  childOrCreate(value: string): LabelNode {
    const found = this.child(value);
    if (found !== undefined) return found;
    const created = new LabelNode();
    if (this.firstChild === undefined) {
      this.firstValue = value;
      this.firstChild = created;
    } else {
      (this.others ??= new Map()).set(value, created);
    }
    return created;
  }
}

/**
 * Series ids by metric and label set. It walks the caller's labels in their own key order through
 * a trie of label values, so a lookup builds no string and reuses the hashes V8 keeps on the value
 * strings. A label set it cannot hold (another one branches on another label name at the same
 * node) is simply not cached and goes to the `series` table each time.
 */
export class SeriesIdCache {
  private readonly roots = new Map<string, LabelNode>();

  /** Id of a label set cached before in the same key order, else undefined. */
  get(metric: string, labels: Labels): number | undefined {
    let node = this.roots.get(metric);
    if (node === undefined) return undefined;
    for (const name in labels) {
      if (node.label !== name) return undefined;
      node = node.child(labels[name] as string);
      if (node === undefined) return undefined;
    }
    return node.id;
  }

  /** Remembers a series id under the caller's key order of its labels. */
  set(metric: string, labels: Labels, id: number): void {
    let node = this.roots.get(metric);
    if (node === undefined) this.roots.set(metric, (node = new LabelNode()));
    for (const name in labels) {
      node.label ??= name;
      if (node.label !== name) return;
      node = node.childOrCreate(labels[name] as string);
    }
    node.id = id;
  }

  /** Forgets everything (after a rollback, or when series were deleted). */
  clear(): void {
    this.roots.clear();
  }
}
