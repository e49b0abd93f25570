/**
 * SQL functions that let SQLite build chunk blobs itself while it seals the head, so no head row
 * becomes a JavaScript object on the way (that took most of a seal's time):
 *
 * - `headroom_chunk(at, value)`, an aggregate: the group's points as a chunk blob, oldest first;
 * - `headroom_chunk_merge(old, new)`: two chunk blobs as one, `new`'s value winning a shared time.
 */
import type Database from 'better-sqlite3';
import { decodeChunk, encodeChunk } from './chunk-codec.ts';
import { mergeColumns } from './point-columns.ts';

/** The points an aggregate has gathered so far, in the order SQLite fed them. */
interface Gathered {
  at: number[];
  value: number[];
}

const registered = new WeakSet<Database.Database>();

/** Adds one row's point to an aggregate's points. */
function gather(gathered: Gathered, at: number, value: number): void {
  gathered.at.push(at);
  gathered.value.push(value);
}

/** True when the times are strictly ascending. */
function ascending(at: readonly number[]): boolean {
  for (let i = 1; i < at.length; i++) if ((at[i - 1] as number) >= (at[i] as number)) return false;
  return true;
}

/** The gathered points as a chunk blob, sorted by time (a GROUP BY need not feed them in order). */
function chunkOf({ at, value }: Gathered): Buffer {
  if (ascending(at)) return encodeChunk({ at, value });
  const order = at.map((_, i) => i).sort((i, j) => (at[i] as number) - (at[j] as number));
  return encodeChunk({
    at: order.map((i) => at[i] as number),
    value: order.map((i) => value[i] as number),
  });
}

/** Registers both functions on a connection (once per connection). */
export function registerChunkFunctions(db: Database.Database): void {
  if (registered.has(db)) return;
  db.aggregate('headroom_chunk', {
    start: (): Gathered => ({ at: [], value: [] }),
    // @types/better-sqlite3 types `step` with one argument; SQLite passes one per SQL argument.
    step: gather as unknown as (gathered: Gathered, next: Gathered) => void,
    result: chunkOf,
    deterministic: true,
    directOnly: true,
  });
  db.function(
    'headroom_chunk_merge',
    { deterministic: true, directOnly: true },
    (older: Buffer, newer: Buffer): Buffer =>
      encodeChunk(mergeColumns(decodeChunk(older), decodeChunk(newer))),
  );
  registered.add(db);
}
