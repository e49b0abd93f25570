/**
 * One collection pass over a plan's sources: builds the sources the plan declares, reads them
 * concurrently within a deadline (a slow or dead source never stalls the others), converts
 * values to canonical units, and turns samples into the alert engine's inputs.
 */
import { asHeadroomErrors, type HeadroomError } from '../errors.ts';
import type { Plan } from '../plan/types.ts';
import { planWindows } from '../plan/windows.ts';
import { aggregateInput } from './windows.ts';
import type { Input } from '../rules/types.ts';
import { isObservedSource } from '../sources/health.ts';
import { createSource } from '../sources/index.ts';
import type {
  MetricRequest,
  Sample,
  Source,
  SourceContext,
  SourceHealth,
} from '../sources/source.ts';

/** What one collection pass read. */
export interface CollectOutcome {
  /** Samples in canonical units, named after plan metrics. */
  samples: Sample[];
  /** Metrics that could not be read, with why. */
  failures: Record<string, HeadroomError>;
  /** Health of each source after the pass. */
  sources: Record<string, { kind: string; health: SourceHealth }>;
}

/** Builds the source of kind `kind` (the registry's `createSource`, or a stand-in). */
export type SourceBuilder = (kind: string, context: SourceContext) => Source;

/** The plan's sources, ready to collect. */
export class Collector {
  private readonly sources = new Map<
    string,
    { kind: string; source: Source; metrics: MetricRequest[] }
  >();
  private readonly health = new Map<string, SourceHealth>();

  /**
   * @param intervalMs the loop's interval when it differs from the plan's (`watch --interval`):
   *   sources never back off longer than one interval.
   * @param sourceFactory builds each source (default: the registry of real kinds; `demo` reads
   *   a simulated system through the same plan).
   */
  constructor(
    private readonly plan: Plan,
    private readonly now: () => number,
    intervalMs: number = plan.intervalMs,
    sourceFactory: SourceBuilder = createSource,
  ) {
    for (const [name, config] of Object.entries(plan.raw.sources ?? {})) {
      const metrics = Object.values(plan.metrics)
        .filter((m) => m.source === name)
        .map((m) => ({ name: m.name, select: m.select }));
      if (metrics.length === 0) continue;
      const { kind, ...options } = config;
      // The interval bounds each source's reconnect backoff: a server that returns is read again
      // at the next interval.
      const source = sourceFactory(kind, {
        name,
        options,
        metrics,
        now,
        intervalMs,
      });
      this.sources.set(name, { kind, source, metrics });
      this.health.set(name, { state: 'unknown' });
    }
  }

  /** Reads every source once, each bounded by `timeoutMs`. Never rejects. */
  async collect(timeoutMs: number): Promise<CollectOutcome> {
    const outcome: CollectOutcome = { samples: [], failures: {}, sources: {} };
    await Promise.all(
      [...this.sources].map(async ([name, { kind, source, metrics }]) => {
        const attemptAt = this.now();
        const signal = AbortSignal.timeout(timeoutMs);
        try {
          if (isObservedSource(source)) {
            const result = await source.collectDetailed(signal);
            outcome.samples.push(...result.samples);
            for (const f of result.failures) outcome.failures[f.metric] = f.error;
            this.health.set(name, source.health());
          } else {
            outcome.samples.push(...(await source.collect(signal)));
            this.health.set(name, {
              state: 'ok',
              lastSuccessAt: this.now(),
              lastAttemptAt: attemptAt,
            });
          }
        } catch (err) {
          const error = asHeadroomErrors(err)[0]!;
          for (const m of metrics) outcome.failures[m.name] = error;
          const previous = this.health.get(name);
          this.health.set(name, {
            state: 'error',
            lastError: error.message,
            lastAttemptAt: attemptAt,
            lastSuccessAt: previous?.lastSuccessAt,
          });
        }
        outcome.sources[name] = { kind, health: this.health.get(name)! };
      }),
    );
    outcome.samples = canonicalSamples(this.plan, outcome.samples);
    return outcome;
  }

  /** Closes every source. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.sources.values()].map((s) => s.source.close()));
  }
}

/** Applies each metric's label matchers and unit scale; drops samples of unknown metrics. */
export function canonicalSamples(plan: Plan, samples: Sample[]): Sample[] {
  const out: Sample[] = [];
  for (const s of samples) {
    const metric = plan.metrics[s.metric];
    if (!metric) continue;
    const matches = Object.entries(metric.labels).every(([k, v]) => s.labels[k] === v);
    if (matches) out.push({ ...s, value: s.value * metric.scale });
  }
  return out;
}

/** Alert-engine inputs at one time: each source metric's vector, or why it is unknown. */
export function inputsFromSamples(
  plan: Plan,
  samples: readonly Sample[],
  failures: Readonly<Record<string, HeadroomError>>,
): Record<string, Input> {
  const inputs: Record<string, Input> = {};
  for (const metric of Object.values(plan.metrics)) {
    if (!metric.source) continue;
    const failure = failures[metric.name];
    if (failure) inputs[metric.name] = { unknown: failure.message };
    else inputs[metric.name] = [];
  }
  for (const s of samples) {
    const v = inputs[s.metric];
    if (Array.isArray(v))
      (v as { labels: Record<string, string>; value: number }[]).push({
        labels: s.labels,
        value: s.value,
      });
  }
  for (const [name, v] of Object.entries(inputs)) {
    if (Array.isArray(v) && v.length === 0)
      inputs[name] = { unknown: `no data for metric "${name}"` };
  }
  return inputs;
}

/**
 * Inputs derived from the collected vectors: aggregations across series (`sum(m)`) are computed
 * now; window functions not already filled from the store (`store-windows.ts`) are unknown,
 * since one pass has no history.
 */
export function derivedInputs(plan: Plan, inputs: Record<string, Input>): void {
  for (const w of planWindows(plan)) {
    inputs[w.key] ??= w.aggregate
      ? aggregateInput(w, inputs[w.metric])
      : { unknown: `${w.fn}() needs ${w.metric}'s history; run with a store, or use replay` };
  }
}
