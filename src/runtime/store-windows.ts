/**
 * Window functions for a live cycle (`increase(worker_restarts[1h])`, `rate(x[5m])`): each
 * series' points of the window are read from the store, plus the value just collected (which
 * is stored after evaluation), so `serve`, `watch` and the demo evaluate them as `replay` does.
 * A window the store cannot answer stays unknown, with the reason.
 */
import type { WindowFunction } from '../plan/expression.ts';
import type { Plan } from '../plan/types.ts';
import { planWindows } from '../plan/windows.ts';
import type { Input, Series } from '../rules/types.ts';
import type { Store } from '../store/store.ts';
import { applyWindow } from './windows.ts';

/** Fills `inputs` with every window function the plan uses, from the store's history. */
export async function storeWindowInputs(
  plan: Plan,
  store: Store,
  inputs: Record<string, Input>,
  at: number,
): Promise<void> {
  for (const w of planWindows(plan)) {
    if (w.aggregate || inputs[w.key] !== undefined) continue;
    const now = inputs[w.metric];
    if (!Array.isArray(now)) continue;
    try {
      const vector: Series[] = [];
      for (const series of now as readonly Series[]) {
        const points = await store.range(w.metric, series.labels, at - w.windowMs, at);
        points.push({ at, value: series.value });
        const value = applyWindow(w.fn as WindowFunction, points);
        if (value !== undefined) vector.push({ labels: series.labels, value });
      }
      inputs[w.key] =
        vector.length > 0
          ? vector
          : { unknown: `${w.key}: not enough history yet (needs two samples in the window)` };
    } catch (err) {
      inputs[w.key] = {
        unknown: `${w.key}: the store could not be read: ${(err as Error).message}`,
      };
    }
  }
}
