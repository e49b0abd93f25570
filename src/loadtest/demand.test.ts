import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Frame } from '../capacity/evaluate.ts';
import { parsePlan } from '../plan/load.ts';
import { predictSaturation, type SteadySpan } from './demand.ts';

// An API of one replica (1 vCPU) in front of a pool of 4 connections, and a throughput resource
// whose capacity is the roadmap's guess.
const PLAN = parsePlan(
  `
version: 1
name: ref
sources:
  prom: { kind: prometheus, url: "http://127.0.0.1:9" }
metrics:
  request_rate: { from: prom, query: "rr", unit: req/s }
  api_cpu: { from: prom, query: "cpu" }
  pool_busy: { from: prom, query: "busy" }
  cache_mem: { from: prom, query: "mem", unit: B }
components:
  api:
    per_replica: { cpu: 1 vCPU, requests: 3.5 req/s }
    usage: { cpu: api_cpu, requests: request_rate }
    replicas: 1
  db-pool:
    capacity: { connections: 4 conn }
    usage: { connections: pool_busy * 1 conn }
  cache:
    capacity: { memory: 1 GB }
    usage: { memory: cache_mem }
`,
  'ref.yaml',
);

/** Frames every 250 ms over the spans, usage = idle + demand × rate, with a little noise. */
function framesFor(spans: SteadySpan[], noise = 0): Frame[] {
  const frames: Frame[] = [];
  let k = 0;
  for (const s of spans)
    for (let t = s.from; t < s.to; t += 250) {
      const wobble = noise * (k++ % 2 === 0 ? 1 : -1);
      frames.push({
        t,
        metrics: {
          request_rate: s.rate,
          api_cpu: 0.01 + 0.0005 * s.rate * (1 + wobble),
          pool_busy: 0.02 * s.rate * (1 + wobble),
          cache_mem: 2e8,
        },
      });
    }
  return frames;
}

const SPANS: SteadySpan[] = [
  { from: 0, to: 3_000, rate: 0 },
  { from: 3_000, to: 13_000, rate: 40 },
];

describe('predictSaturation (service demand law)', () => {
  it('names the pool, full at capacity ÷ demand, before the CPU', () => {
    const p = predictSaturation({
      plan: PLAN,
      frames: framesFor(SPANS),
      spans: SPANS,
      settleMs: 1000,
      exclude: [{ component: 'api', resource: 'requests' }],
    });
    const pool = p.resources.find((r) => r.component === 'db-pool')!;
    assert.ok(Math.abs(pool.saturation_rate! - 200) < 1e-6, String(pool.saturation_rate));
    assert.ok(Math.abs(pool.demand! - 0.02) < 1e-9);
    const cpu = p.resources.find((r) => r.resource === 'cpu')!;
    assert.ok(Math.abs(cpu.saturation_rate! - 1980) < 1e-6, String(cpu.saturation_rate));
    assert.equal(`${p.bottleneck?.component}.${p.bottleneck?.resource}`, 'db-pool.connections');
    assert.ok(Math.abs(p.bottleneck!.rate - 200) < 1e-6);
  });

  it('leaves out a resource the run did not load, and says so', () => {
    const p = predictSaturation({
      plan: PLAN,
      frames: framesFor(SPANS),
      spans: SPANS,
      settleMs: 0,
    });
    const cache = p.resources.find((r) => r.component === 'cache')!;
    assert.equal(cache.saturation_rate, undefined);
    assert.match(cache.note, /not loaded/);
  });

  it('without the exclusion, the throughput guess (3.5 req/s) would be named', () => {
    const p = predictSaturation({
      plan: PLAN,
      frames: framesFor(SPANS),
      spans: SPANS,
      settleMs: 0,
    });
    assert.equal(p.bottleneck?.resource, 'requests');
    assert.ok(Math.abs(p.bottleneck!.rate - 3.5) < 1e-6, String(p.bottleneck!.rate));
  });

  it('fits several stages by least squares and reports R²', () => {
    const spans: SteadySpan[] = [
      { from: 0, to: 2_000, rate: 0 },
      { from: 2_000, to: 6_000, rate: 20 },
      { from: 6_000, to: 10_000, rate: 40 },
      { from: 10_000, to: 14_000, rate: 60 },
    ];
    const p = predictSaturation({
      plan: PLAN,
      frames: framesFor(spans, 0.05),
      spans,
      settleMs: 500,
    });
    const pool = p.resources.find((r) => r.component === 'db-pool')!;
    assert.ok(pool.r2! > 0.95, String(pool.r2));
    assert.ok(Math.abs(pool.saturation_rate! - 200) / 200 < 0.05, String(pool.saturation_rate));
  });

  it('skips the settling part of a span (a lagging metric)', () => {
    // The first 2 s of the loaded span still read idle, as a 5 s rate() would.
    const frames = framesFor(SPANS).map((f) =>
      f.t >= 3_000 && f.t < 5_000 ? { ...f, metrics: { ...f.metrics, pool_busy: 0 } } : f,
    );
    const settled = predictSaturation({ plan: PLAN, frames, spans: SPANS, settleMs: 2_500 });
    const raw = predictSaturation({ plan: PLAN, frames, spans: SPANS, settleMs: 0 });
    const rate = (p: typeof settled) => p.resources.find((r) => r.component === 'db-pool')!;
    assert.ok(Math.abs(rate(settled).saturation_rate! - 200) < 1e-6);
    assert.ok(rate(raw).saturation_rate! > 220);
  });

  it('reports no prediction when no usage was read under load', () => {
    const frames = framesFor(SPANS).filter((f) => f.t < 3_000);
    const p = predictSaturation({ plan: PLAN, frames, spans: SPANS, settleMs: 0 });
    assert.equal(p.bottleneck, undefined);
    assert.match(p.resources[0]!.note, /no usage was read/);
  });
});
