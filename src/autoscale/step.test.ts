/**
 * Step rules as the example roadmaps write them: roleferry's Celery workers ("depth > 500 → +5,
 * < 50 → −2, min 5, max 50", every 5 min), cfi's API ("CPU > 70% for 5 min → +1"), and
 * insightdesk's cooldowns (3 min up, 5 min down).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withSafety } from './safety.ts';
import { createStepPolicy, type StepSpec } from './step.ts';
import { at, drive, failed, obs } from './test-support.ts';

const MIN = 60_000;

const roleferry: StepSpec = {
  kind: 'step',
  metric: 'celery_queue_depth',
  steps: [
    { when: { op: '>', value: 500 }, change: 5, forMs: 0 },
    { when: { op: '<', value: 50 }, change: -2, forMs: 0 },
  ],
  cooldownMs: 0,
};

const depth = (replicas: number, value: number) =>
  obs(replicas, { metrics: { celery_queue_depth: value } });

describe('step: roleferry Celery workers', () => {
  const policy = withSafety(createStepPolicy(roleferry), {
    min: 5,
    max: 50,
    scaleDownStabilizationMs: 0,
  });
  const s = policy.initialState();

  it('adds 5 above 500, removes 2 below 50, and holds in between', () => {
    const up = policy.decide(depth(10, 820), s, 0);
    assert.equal(up.replicas, 15);
    assert.match(up.reason, /celery_queue_depth 820 > 500 \(rule 1\) → \+5: 10 → 15/);
    assert.equal(policy.decide(depth(15, 300), s, 0).replicas, 15);
    assert.equal(policy.decide(depth(15, 20), s, 0).replicas, 13);
  });

  it('keeps to min 5 and max 50 (the safety clamp)', () => {
    const top = policy.decide(depth(48, 9000), s, 0);
    assert.equal(top.replicas, 50);
    assert.match(top.reason, /clamped to max 50/);
    assert.equal(policy.decide(depth(6, 0), s, 0).replicas, 5);
  });

  it('every 5 minutes of a backlog adds 5 more, up to 50', () => {
    const { steps } = drive(policy, {
      startReplicas: 10,
      everyMs: 5 * MIN,
      untilMs: 60 * MIN,
      observe: (_, r) => depth(r, 5000),
    });
    assert.deepEqual(
      steps.map((x) => x.replicas),
      [15, 20, 25, 30, 35, 40, 45, 50, 50, 50, 50, 50],
    );
  });
});

describe('step: rule order, for and cooldowns', () => {
  it('the first matching rule wins, in the order written', () => {
    const small: StepSpec = {
      ...roleferry,
      steps: [
        { when: { op: '>', value: 100 }, change: 1, forMs: 0 },
        { when: { op: '>', value: 500 }, change: 5, forMs: 0 },
      ],
    };
    const p = createStepPolicy(small);
    assert.equal(p.decide(depth(10, 600), p.initialState(), 0).replicas, 11);
    const big = createStepPolicy({ ...small, steps: [...small.steps].reverse() });
    assert.equal(big.decide(depth(10, 600), big.initialState(), 0).replicas, 15);
  });

  const cfi: StepSpec = {
    kind: 'step',
    metric: 'api_cpu',
    steps: [
      { when: { op: '>', value: 0.7 }, change: 1, forMs: 5 * MIN },
      { when: { op: '<', value: 0.3 }, change: -1, forMs: 15 * MIN },
    ],
    cooldownMs: 0,
  };
  const cpu = (replicas: number, value: number) => obs(replicas, { metrics: { api_cpu: value } });

  it('acts once the condition has held for its duration, then counts again after the change', () => {
    const { steps } = drive(createStepPolicy(cfi), {
      startReplicas: 2,
      everyMs: 15_000,
      untilMs: 11 * MIN,
      observe: (_, r) => cpu(r, 0.9),
    });
    assert.equal(at(steps, 4 * MIN + 45_000), 2);
    assert.match(steps[19]!.reason, /> 0.7 holds but not yet for 5m/);
    assert.equal(at(steps, 5 * MIN), 3);
    // The change was asked at 5 min: the condition must hold again until 10 min.
    assert.equal(at(steps, 9 * MIN + 45_000), 3);
    assert.equal(at(steps, 10 * MIN), 4);
  });

  it('a break in the condition restarts the count', () => {
    const { steps } = drive(createStepPolicy(cfi), {
      startReplicas: 2,
      everyMs: 15_000,
      untilMs: 9 * MIN,
      observe: (now, r) => cpu(r, now === 3 * MIN ? 0.5 : 0.9),
    });
    assert.equal(at(steps, 5 * MIN), 2);
    assert.equal(at(steps, 8 * MIN), 2); // held since 3m15s: 4m45s
    assert.equal(at(steps, 8 * MIN + 15_000), 3);
  });

  it('a failed read neither breaks nor extends the count', () => {
    const { steps } = drive(createStepPolicy(cfi), {
      startReplicas: 2,
      everyMs: 15_000,
      untilMs: 6 * MIN,
      observe: (now, r) => (now === 2 * MIN ? failed(r) : cpu(r, 0.9)),
    });
    assert.match(steps[8]!.reason, /metrics unavailable; keep 2/);
    assert.equal(at(steps, 5 * MIN), 3);
  });

  it('insightdesk: no scale-up for 3 min and no scale-down for 5 min after a change', () => {
    const insightdesk: StepSpec = {
      kind: 'step',
      metric: 'api_cpu',
      steps: [
        { when: { op: '>', value: 0.7 }, change: 1, forMs: 0 },
        { when: { op: '<', value: 0.3 }, change: -1, forMs: 0 },
      ],
      cooldownMs: 3 * MIN,
      scaleDownCooldownMs: 5 * MIN,
    };
    const up = drive(createStepPolicy(insightdesk), {
      startReplicas: 2,
      everyMs: 15_000,
      untilMs: 7 * MIN,
      observe: (_, r) => cpu(r, 0.9),
    }).steps;
    assert.equal(at(up, 0), 3);
    assert.equal(at(up, 2 * MIN + 45_000), 3);
    assert.match(up[11]!.reason, /scale-up cooldown of 3m has 15s left/);
    assert.equal(at(up, 3 * MIN), 4);
    assert.equal(at(up, 6 * MIN), 5);
    const down = drive(createStepPolicy(insightdesk), {
      startReplicas: 2,
      everyMs: 15_000,
      untilMs: 7 * MIN,
      observe: (now, r) => cpu(r, now === 0 ? 0.9 : 0.1),
    }).steps;
    assert.equal(at(down, 0), 3);
    assert.equal(at(down, 4 * MIN + 45_000), 3);
    assert.equal(at(down, 5 * MIN), 2);
  });
});
