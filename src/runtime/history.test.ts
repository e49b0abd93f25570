// framesFromSeries builds every frame a metric column at a time: it must give exactly the frames
// of the definition — at each frame time the engine's inputs (`inputsAt`) as scalars
// (`scalarInputs`) — on recordings with gaps, staleness markers, several series per metric,
// series that start late, window functions and aggregations, in CSV units and canonical.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../forecast/synthetic.ts';
import { parsePlan } from '../plan/load.ts';
import type { Plan } from '../plan/types.ts';
import { framesFromSeries, scalarInputs } from './history.ts';
import { inputsAt } from './replay.ts';
import type { RecordedSeries } from './series-csv.ts';

const PLAN = `
version: 1
name: frames
interval: 15s
sources:
  prom: { kind: prometheus, url: "http://127.0.0.1:9" }
metrics:
  depth: { from: prom, query: depth, unit: msg }
  used: { from: prom, query: used, unit: MB }
  done: { from: prom, query: done }
  unrecorded: { from: prom, query: nothing }
triggers:
  - name: backlog
    expr: max(depth) / 1000
    warning: { when: "> 0.5", action: Add workers }
  - name: throughput
    expr: rate(done[5m])
    warning: { when: "< 1/s", action: Look at the workers }
  - name: growth
    expr: delta(used, 10m)
    warning: { when: "> 100 MB", action: Look at the store }
`;

/** A recording: each series starts at a random time, skips samples, and may go stale. */
function recording(random: () => number, start: number, steps: number): RecordedSeries[] {
  const series: RecordedSeries[] = [];
  for (const [metric, count] of [
    ['depth', 3],
    ['used', 1],
    ['done', 2],
  ] as const) {
    for (let k = 0; k < count; k++) {
      const points: RecordedSeries['points'] = [];
      let value = 100 * random();
      const first = Math.floor(random() * steps * 0.3);
      // An outage of 8 to 16 scrapes: some frame then sits exactly a lookback after a sample.
      const outage = first + Math.floor(random() * steps * 0.5);
      const outageEnd = outage + 8 + Math.floor(random() * 9);
      for (let i = first; i < steps; i++) {
        if (random() < 0.2 || (i >= outage && i < outageEnd)) continue; // missed scrapes
        value += metric === 'done' ? 10 * random() : 5 * (random() - 0.4);
        const stale = random() < 0.02;
        points.push({ at: start + i * 30_000, value: stale ? NaN : value });
      }
      series.push({ metric, labels: { k: String(k) }, points });
    }
  }
  return series;
}

/** The frames by their definition: the engine's inputs at each frame time, as scalars. */
function definedFrames(plan: Plan, series: RecordedSeries[], canonical: boolean, stepMs: number) {
  const ends = series.flatMap((s) => [s.points[0]!.at, s.points[s.points.length - 1]!.at]);
  const [start, end] = [Math.min(...ends), Math.max(...ends)];
  const lookbackMs = Math.max(5 * 60_000, stepMs);
  const frames = [];
  for (let t = start; t <= end; t += stepMs)
    frames.push({ t, ...scalarInputs(inputsAt(plan, series, t, lookbackMs, canonical)) });
  return frames;
}

describe('framesFromSeries', () => {
  const plan = parsePlan(PLAN, 'frames.yaml');
  for (const canonical of [false, true]) {
    for (const stepMs of [15_000, 60_000, 420_000]) {
      it(`equals the engine's inputs frame by frame (${canonical ? 'canonical' : 'CSV units'}, step ${stepMs / 1000}s)`, () => {
        for (let seed = 1; seed <= 5; seed++) {
          const series = recording(seededRandom(seed), Date.UTC(2026, 0, 1), 400);
          const progress: number[] = [];
          const frames = framesFromSeries(plan, series, {
            stepMs,
            canonical,
            onProgress: (done, total) => progress.push(done / total),
          });
          assert.deepEqual(frames, definedFrames(plan, series, canonical, stepMs));
          assert.ok(
            frames.some(
              (f) => f.worst?.depth !== undefined && f.metrics['rate(done[5m])'] !== undefined,
            ),
          );
          assert.equal(progress[progress.length - 1], 1);
          assert.deepEqual(
            [...progress].sort((a, b) => a - b),
            progress,
            'progress only grows',
          );
        }
      });
    }
  }
});
