import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { niceTicks, timeTicks } from './chart-axes.ts';
import { renderChart } from './chart.ts';
import type { MinutePoint } from './results.ts';

function timeline(minutes: number, wait: (m: number) => number | null): MinutePoint[] {
  return Array.from({ length: minutes }, (_, m) => ({
    t: Date.UTC(2025, 0, 6) + m * 60_000,
    arrivals: 10 + m,
    replicas: 2 + (m % 3),
    wait_p95: wait(m),
    wait_objective: wait(m),
    violated: (wait(m) ?? 0) > 30,
  }));
}

describe('simulation chart', () => {
  it('draws three panels, a legend and the objective line', () => {
    const svg = renderChart({
      title: 'trace <a&b>',
      slo: { label: 'wait_p95 <= 30s', targetSec: 30 },
      runs: [
        { policy: 'hpa', timeline: timeline(90, (m) => (m === 5 ? null : m)) },
        { policy: 'oracle', timeline: timeline(90, () => Infinity) },
      ],
    });
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>\n$/);
    assert.match(svg, /trace &lt;a&amp;b&gt;/);
    assert.equal(svg.match(/class="frame"/g)?.length, 3);
    assert.match(svg, /Load: arrivals per minute/);
    assert.match(svg, /Replicas: mean workers paid for/);
    assert.match(svg, /Wait: wait_p95 of the jobs arriving each minute \(s\); clipped at 100 s/);
    assert.match(svg, /class="slo"/);
    assert.match(svg, />hpa</);
    assert.match(svg, />oracle</);
    assert.ok(!svg.includes('NaN') && !svg.includes('Infinity'));
  });

  it('buckets long traces', () => {
    const svg = renderChart({
      title: 't',
      slo: { label: 'wait_mean <= 5s', targetSec: 5 },
      runs: [{ policy: 'fixed:3', timeline: timeline(10_000, () => 1) }],
    });
    assert.match(svg, /mean of 10-minute buckets/);
    assert.ok(svg.length < 200_000, `${svg.length} bytes`);
  });

  it('chooses round ticks', () => {
    assert.deepEqual(niceTicks(83), [0, 25, 50, 75, 100]);
    const day = timeTicks(0, 86_400_000);
    assert.equal(day.stepMs, 180 * 60_000);
  });
});
