/**
 * A `Source` that reads the simulated IRISX instead of a real server: `headroom demo` builds one
 * for each of the irisx plan's sources (nats, db, prom), so every metric the plan declares is
 * collected, stored and evaluated by the real pipeline. The world is advanced to the (simulated)
 * clock before each read; a stream or consumer named in the metric's selector becomes a label,
 * as the real JetStream source labels its series.
 */
import type { Sample, Source, SourceContext } from '../sources/source.ts';
import type { IrisxWorld } from './irisx-world.ts';

/** The selector fields that label a series, as the real sources label them. */
const LABEL_FIELDS = ['stream', 'consumer'];

/** Builds the simulated source for one plan source. */
export function simulatedSource(world: IrisxWorld, context: SourceContext): Source {
  return {
    kind: 'simulated',
    collect(signal: AbortSignal): Promise<Sample[]> {
      signal.throwIfAborted();
      const at = context.now();
      world.advanceTo(at);
      const samples: Sample[] = [];
      for (const request of context.metrics) {
        const value = world.metric(request.name);
        if (value === undefined) continue;
        const labels: Record<string, string> = {};
        for (const field of LABEL_FIELDS) {
          const v = request.select[field];
          if (typeof v === 'string') labels[field] = v;
        }
        samples.push({ metric: request.name, labels, value, at });
      }
      return Promise.resolve(samples);
    },
    close(): Promise<void> {
      return Promise.resolve();
    },
  };
}
