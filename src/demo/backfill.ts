/**
 * The month of history `headroom demo` starts with: the simulated IRISX is run forward and its
 * metrics recorded into the store at a fixed step, as if headroom had been watching it all
 * along, so the forecasts have a trend to fit from the first second. During the backfill each
 * pool runs the one worker the roadmap's Phase 1 has ("Workers: 1x each"): the history shows
 * the backlogs that campaigns cause without autoscaling.
 */
import type { Plan } from '../plan/types.ts';
import type { Sample } from '../sources/source.ts';
import type { Store } from '../store/store.ts';
import type { IrisxWorld } from './irisx-world.ts';
import { simulatedSource } from './simulated-source.ts';

/** What to record. */
export interface BackfillOptions {
  /** First recorded time, epoch ms (simulated). */
  from: number;
  /** Last recorded time, epoch ms (simulated; exclusive). */
  to: number;
  /** Time between recordings, ms. */
  stepMs: number;
  /** Called with the fraction done, 0..1, now and then. */
  onProgress?: (fraction: number) => void;
}

/** Samples appended per store transaction. */
const BATCH = 20_000;

/** Runs `world` from its time to `options.to`, appending the plan's metrics every step. */
export async function backfill(
  plan: Plan,
  world: IrisxWorld,
  store: Store,
  options: BackfillOptions,
): Promise<number> {
  const { from, to, stepMs } = options;
  let at = from;
  const sources = Object.keys(plan.raw.sources ?? {}).map((name) =>
    simulatedSource(world, {
      name,
      options: {},
      metrics: Object.values(plan.metrics)
        .filter((m) => m.source === name)
        .map((m) => ({ name: m.name, select: m.select })),
      now: () => at,
    }),
  );
  const signal = new AbortController().signal;
  let batch: Sample[] = [];
  let written = 0;
  const steps = Math.max(1, Math.ceil((to - from) / stepMs));
  for (let i = 0; at < to; i++, at += stepMs) {
    for (const source of sources) batch.push(...(await source.collect(signal)));
    if (batch.length >= BATCH) {
      await store.append(batch);
      written += batch.length;
      batch = [];
      options.onProgress?.(i / steps);
    }
  }
  await store.append(batch);
  written += batch.length;
  options.onProgress?.(1);
  return written;
}
