/**
 * createPolicy applies the scale-down stabilization once: the HPA's own window for hpa, none for
 * step, fixed and oracle unless asked, 300 s by default for target-latency and predictive.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPolicy } from './create.ts';
import { at, drive, obs } from './test-support.ts';
import type { Observation, PolicySpec, SafetyOptions } from './types.ts';

/** Replicas over time when the load drops at 15 s; returns the first time below `from`. */
function firstDrop(
  spec: PolicySpec,
  safety: { min: number; max: number; scaleDownStabilizationMs?: number },
  observe: (now: number, r: number) => Observation,
  from: number,
): number {
  const { steps } = drive(createPolicy(spec, safety), {
    startReplicas: from,
    everyMs: 15_000,
    untilMs: 900_000,
    observe,
  });
  const drop = steps.find((s) => s.replicas < from);
  return drop ? drop.now : Infinity;
}

describe('createPolicy', () => {
  const hpa: PolicySpec = { kind: 'hpa', metrics: [{ metric: 'q', target: 10 }] };
  const hpaLoad = (now: number, r: number) => obs(r, { metrics: { q: now === 0 ? 100 : 10 } });

  it('hpa: its own 300 s window, not the generic one on top (that would drop at 600 s)', () => {
    assert.equal(firstDrop(hpa, { min: 1, max: 20 }, hpaLoad, 10), 300_000);
  });

  it("hpa: an explicit window becomes the HPA's own", () => {
    assert.equal(
      firstDrop(hpa, { min: 1, max: 20, scaleDownStabilizationMs: 60_000 }, hpaLoad, 10),
      60_000,
    );
  });

  it('step: scales down as its rules say, without a generic window', () => {
    const step: PolicySpec = {
      kind: 'step',
      metric: 'q',
      steps: [{ when: { op: '<', value: 50 }, change: -2, forMs: 0 }],
      cooldownMs: 0,
    };
    const load = (now: number, r: number) => obs(r, { metrics: { q: now === 0 ? 100 : 10 } });
    assert.equal(firstDrop(step, { min: 1, max: 20 }, load, 10), 15_000);
    assert.equal(
      firstDrop(step, { min: 1, max: 20, scaleDownStabilizationMs: 120_000 }, load, 10),
      120_000,
    );
  });

  it('target-latency: no generic window by default (its slow-falling rate estimate is its stabilization); an explicit one applies', () => {
    const tl: PolicySpec = {
      kind: 'target-latency',
      slo: { quantile: 0.95, waitSec: 10 },
      serviceTimeSec: 1,
    };
    const load = (now: number, r: number) => obs(r, { arrivalRatePerSec: now === 0 ? 20 : 1 });
    const run = (safety: SafetyOptions) =>
      drive(createPolicy(tl, safety), {
        startReplicas: 5,
        everyMs: 15_000,
        untilMs: 600_000,
        observe: load,
      }).steps;
    const free = run({ min: 1, max: 50 });
    const peak = at(free, 0);
    assert.ok(peak > 20, String(peak));
    // The rate estimate falls with a 2 min time constant: 12 % of the way per 15 s.
    assert.ok(at(free, 15_000) < peak);
    assert.ok(at(free, 15_000) > 15, String(at(free, 15_000)));
    const held = run({ min: 1, max: 50, scaleDownStabilizationMs: 300_000 });
    assert.equal(at(held, 285_000), peak);
    assert.ok(at(held, 300_000) < peak);
  });

  it('fixed and oracle keep their answers exact', () => {
    const fixed = createPolicy({ kind: 'fixed', replicas: 3 }, { min: 1, max: 10 });
    assert.equal(fixed.decide(obs(8), fixed.initialState(), 0).replicas, 3);
    const oracle = createPolicy(
      {
        kind: 'oracle',
        slo: { meanWaitSec: 1 },
        serviceTimeSec: 1,
        arrivalsPerMinute: [600, 0, 0],
        startMs: 0,
      },
      { min: 0, max: 100 },
    );
    const { steps } = drive(oracle, {
      startReplicas: 0,
      everyMs: 60_000,
      untilMs: 180_000,
      observe: (_, r) => obs(r),
    });
    assert.deepEqual(
      steps.map((s) => s.replicas > 0),
      [true, false, false],
    );
  });

  it('names each policy as the plan writes it', () => {
    const names = (
      [
        { kind: 'fixed', replicas: 1 },
        { kind: 'hpa', metrics: [{ metric: 'q', target: 1 }] },
        {
          kind: 'step',
          metric: 'q',
          steps: [{ when: { op: '>', value: 1 }, change: 1, forMs: 0 }],
          cooldownMs: 0,
        },
        { kind: 'target-latency', slo: { meanWaitSec: 1 } },
        { kind: 'predictive', slo: { meanWaitSec: 1 }, startupMs: 0, intervalMs: 15_000 },
        {
          kind: 'oracle',
          slo: { meanWaitSec: 1 },
          serviceTimeSec: 1,
          arrivalsPerMinute: [],
          startMs: 0,
        },
      ] satisfies PolicySpec[]
    ).map((spec) => createPolicy(spec, { min: 1, max: 2 }).name);
    assert.deepEqual(names, ['fixed', 'hpa', 'step', 'target-latency', 'predictive', 'oracle']);
  });
});
