/**
 * Recorded history for the plans of `generated-plan.ts`: what its source would have collected,
 * so a roadmap rebuild at size reads a store shaped like a real one. Every component's storage
 * grows by a few percent of its capacity a day with noise, its message rate follows a daily
 * cycle, and the companies count grows by about 10 a week (the driver's own growth). Everything
 * is deterministic in the size and the times.
 */
import { seededRandom } from '../forecast/synthetic.ts';
import type { Sample } from '../sources/source.ts';

const DAY_MS = 86_400_000;
const GB = 1e9;

/** Which history to write. */
export interface GeneratedHistoryOptions {
  /** Components of the generated plan. */
  components: number;
  /** First and last sample time, epoch ms. */
  from: number;
  to: number;
  /** Spacing of the samples, ms. */
  stepMs: number;
  /** When the history began, what growth is counted from (default `from`): later scrapes of a history written before. */
  origin?: number;
}

/** The samples of one scrape at `at`, for every metric of the generated plan. */
function scrapeAt(components: number, at: number, start: number, random: () => number): Sample[] {
  const days = (at - start) / DAY_MS;
  const daily = Math.sin((2 * Math.PI * (at % DAY_MS)) / DAY_MS);
  const samples: Sample[] = [
    { metric: 'companies_count', labels: {}, at, value: Math.round(1000 + (10 * days) / 7) },
  ];
  for (let i = 0; i < components; i++) {
    // Storage starts at 10-37 % of the component's capacity and grows 0.2-1.1 % of it a day.
    const gb = i % 10 === 0 ? 50 + (Math.floor(i / 10) % 50) : i % 10 === 6 ? 4 : 1 + (i % 20);
    const capacity = gb * GB;
    const used = capacity * (0.1 + 0.03 * (i % 10) + (0.002 + 0.001 * (i % 10)) * days);
    samples.push({
      metric: `used_${i}`,
      labels: {},
      at,
      value: Math.max(0, used * (1 + 0.01 * (random() - 0.5))),
    });
    const rate = (5 + (i % 40)) * (1 + 0.3 * daily) * (1 + 0.05 * (random() - 0.5));
    samples.push({ metric: `rate_${i}`, labels: {}, at, value: rate });
  }
  return samples;
}

/** The history, one scrape's samples per batch, oldest first. */
export function* generatedHistory(options: GeneratedHistoryOptions): Generator<Sample[]> {
  const { components, from, to, stepMs, origin = from } = options;
  const random = seededRandom(components + (from - origin));
  for (let at = from; at <= to; at += stepMs) yield scrapeAt(components, at, origin, random);
}
