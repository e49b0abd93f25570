/**
 * The HPA reproduction against published behaviour:
 * - [K8S] https://kubernetes.io/docs/concepts/workloads/autoscaling/horizontal-pod-autoscale/ —
 *   "Algorithm details" (200m vs 100m doubles, 50m halves, tolerance 0.1), "Scaling policies"
 *   (80 replicas, Pods 4 / Percent 10 per 60 s: 8 removed, then 8 from 72), "Default behavior"
 *   (4 pods or 100 % per 15 s up; 300 s window down), "Stabilization window";
 * - [CODE] kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator.go and
 *   horizontal.go (missing metrics, bounds, the initial recommendation).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHpaPolicy, metricReplicas, type HpaSpec } from './hpa.ts';
import { at, drive, failed, obs } from './test-support.ts';

const one = (metric: string, target: number): HpaSpec => ({
  kind: 'hpa',
  metrics: [{ metric, target }],
});

describe('hpa: one metric (GetExternalPerPodMetricReplicas)', () => {
  it('[K8S] a per-pod value of 200m against 100m doubles the replicas; 50m halves them', () => {
    // AverageValue: the external metric is the total; 3 pods at 200m each is 0.6.
    assert.equal(metricReplicas(0.6, 0.1, 3).replicas, 6);
    assert.equal(metricReplicas(0.2, 0.1, 4).replicas, 2);
  });

  it('[K8S] keeps the current count when the ratio is within the 0.1 tolerance', () => {
    assert.deepEqual(metricReplicas(105, 10, 10), { replicas: 10, ratio: 1.05, within: true });
    // At exactly ±10 % float64 decides, as in the Go controller: |1 − 1.1| is a hair above 0.1
    // (scale), |1 − 0.9| a hair below (keep).
    assert.equal(metricReplicas(110, 10, 10).replicas, 11);
    assert.equal(metricReplicas(90, 10, 10).replicas, 10);
    assert.equal(metricReplicas(115, 10, 10).replicas, 12); // ceil(11.5)
    assert.equal(metricReplicas(89, 10, 10).replicas, 9); // ratio 0.89
  });

  it('works in milli-units, so 2.1 cores over 0.7 per pod is 3 pods, not 4', () => {
    assert.ok(Math.ceil(2.1 / 0.7) === 4, 'the float division rounds the wrong way');
    assert.equal(metricReplicas(2.1, 0.7, 2).replicas, 3);
  });

  it('reads queue_length from the observation and other metrics by name', () => {
    const policy = createHpaPolicy(one('queue_length', 100), { min: 1, max: 50 });
    const d = policy.decide(obs(2, { queueLength: 1000 }), policy.initialState(), 0);
    assert.equal(d.replicas, 6); // 2 + 4 (the first 15 s scale-up period allows 4 pods)
    const named = createHpaPolicy(one('sla_waiting', 100), { min: 1, max: 50 });
    const e = named.decide(obs(3, { metrics: { sla_waiting: 450 } }), named.initialState(), 0);
    assert.equal(e.replicas, 5);
    assert.match(e.reason, /sla_waiting 450 \/ target 100 → 5/);
  });
});

describe('hpa: default behavior', () => {
  it('[K8S] scales up by the larger of 4 pods and 100 % per 15 s: 1 → 5 → 10 → 20', () => {
    const policy = createHpaPolicy(one('q', 100), { min: 1, max: 100 });
    const { steps } = drive(policy, {
      startReplicas: 1,
      everyMs: 15_000,
      untilMs: 60_000,
      observe: (_, r) => obs(r, { metrics: { q: 2000 } }),
    });
    assert.deepEqual(
      steps.map((s) => s.replicas),
      [5, 10, 20, 20],
    );
    assert.match(steps[0]!.reason, /scale-up limited to 5/);
  });

  it('[CODE] counts what was added earlier in the period: no second step within 15 s', () => {
    const policy = createHpaPolicy(one('q', 100), { min: 1, max: 100 });
    const { steps } = drive(policy, {
      startReplicas: 1,
      everyMs: 5_000,
      untilMs: 35_000,
      observe: (_, r) => obs(r, { metrics: { q: 2000 } }),
    });
    // t=0: 1 → 5; t=5,10: the period still starts at 1 → limit 5; t=15: starts at 5 → 10.
    assert.deepEqual(
      steps.map((s) => s.replicas),
      [5, 5, 5, 10, 10, 10, 20],
    );
  });

  it('[K8S] holds a scale-down for the 300 s window, then drops at once', () => {
    const policy = createHpaPolicy(one('q', 100), { min: 1, max: 100 });
    const { steps } = drive(policy, {
      startReplicas: 10,
      everyMs: 15_000,
      untilMs: 330_000,
      observe: (now, r) => obs(r, { metrics: { q: now === 0 ? 1000 : 200 } }),
    });
    assert.equal(at(steps, 15_000), 10);
    assert.equal(at(steps, 285_000), 10);
    assert.match(
      steps[1]!.reason,
      /scale-down stabilized: highest recommendation in the last 5m is 10/,
    );
    // The last recommendation of 10 was made at t=0: strictly older than 300 s at t=300 s.
    assert.equal(at(steps, 300_000), 2);
    assert.equal(at(steps, 315_000), 2);
  });

  it('[CODE] the first call records the current count, so a fresh HPA does not drop at once', () => {
    const policy = createHpaPolicy(one('q', 100), { min: 1, max: 100 });
    const d = policy.decide(obs(8, { metrics: { q: 100 } }), policy.initialState(), 0);
    assert.equal(d.replicas, 8);
    assert.deepEqual(d.state.recommendations, [
      { at: 0, replicas: 8 },
      { at: 0, replicas: 1 },
    ]);
  });

  it("a scale-up stabilization window (the plan's cooldown) ignores a one-call spike", () => {
    const policy = createHpaPolicy(
      { ...one('q', 10), scaleUpStabilizationMs: 60_000 },
      { min: 1, max: 100 },
    );
    const { steps } = drive(policy, {
      startReplicas: 2,
      everyMs: 15_000,
      untilMs: 150_000,
      observe: (now, r) => obs(r, { metrics: { q: now === 30_000 || now >= 75_000 ? 60 : 20 } }),
    });
    assert.equal(at(steps, 30_000), 2); // the spike: 2 was recommended within the last 60 s
    // The rise from 75 s asks for 6, but 2 was recommended at 60 s: held until that is 60 s old.
    assert.equal(at(steps, 105_000), 2);
    assert.match(
      steps[7]!.reason,
      /scale-up stabilized: lowest recommendation in the last 1m is 2/,
    );
    assert.equal(at(steps, 120_000), 6);
  });
});

describe('hpa: scaling policies', () => {
  it('[K8S] 80 replicas, Pods 4 / Percent 10 per 60 s: 8 removed, then 8 more from 72', () => {
    const policy = createHpaPolicy(one('q', 1), {
      min: 1,
      max: 100,
      behavior: {
        scaleDown: {
          stabilizationWindowMs: 0,
          policies: [
            { type: 'Pods', value: 4, periodMs: 60_000 },
            { type: 'Percent', value: 10, periodMs: 60_000 },
          ],
        },
      },
    });
    const { steps } = drive(policy, {
      startReplicas: 80,
      everyMs: 15_000,
      untilMs: 600_000,
      observe: (_, r) => obs(r, { metrics: { q: 10 } }),
    });
    assert.equal(at(steps, 0), 72);
    // The next 60 s period counts from 80: nothing more until the first change is 60 s old.
    assert.equal(at(steps, 45_000), 72);
    // 10 % of 72 is 7.2, "rounded up to 8".
    assert.equal(at(steps, 60_000), 64);
    const perMinute = steps.filter((s) => s.now % 60_000 === 0).map((s) => s.replicas);
    // 64 → 57 (10 % of 64 rounded up), 51, 45, 40; at 40 and below, Pods: 4 at a time.
    assert.deepEqual(perMinute, [72, 64, 57, 51, 45, 40, 36, 32, 28, 24]);
  });

  it('[K8S] selectPolicy Min picks the policy that changes the least', () => {
    const policy = createHpaPolicy(one('q', 1), {
      min: 1,
      max: 100,
      behavior: {
        scaleDown: {
          stabilizationWindowMs: 0,
          selectPolicy: 'Min',
          policies: [
            { type: 'Percent', value: 10, periodMs: 60_000 },
            { type: 'Pods', value: 5, periodMs: 60_000 },
          ],
        },
      },
    });
    const d = policy.decide(obs(100, { metrics: { q: 10 } }), policy.initialState(), 0);
    assert.equal(d.replicas, 95);
  });

  it('[K8S] selectPolicy Disabled turns a direction off', () => {
    const policy = createHpaPolicy(one('q', 1), {
      min: 1,
      max: 100,
      behavior: { scaleDown: { stabilizationWindowMs: 0, selectPolicy: 'Disabled' } },
    });
    const d = policy.decide(obs(10, { metrics: { q: 1 } }), policy.initialState(), 0);
    assert.equal(d.replicas, 10);
  });
});

describe('hpa: several metrics, bounds and failures', () => {
  const honeyjar: HpaSpec = {
    kind: 'hpa',
    metrics: [
      { metric: 'intent_worker_cpu', target: 0.7 },
      { metric: 'intent_waiting', target: 100 },
    ],
  };

  it('[K8S] takes the largest proposal over the metrics', () => {
    const policy = createHpaPolicy(honeyjar, { min: 2, max: 20 });
    const o = obs(2, { metrics: { intent_worker_cpu: 1.4, intent_waiting: 500 } });
    const d = policy.decide(o, policy.initialState(), 0);
    assert.equal(d.replicas, 5);
    assert.match(d.reason, /intent_worker_cpu 1.4 on 2 replicas is within 10%/);
    assert.match(d.reason, /intent_waiting 500 \/ target 100 → 5/);
  });

  it('[K8S] with a metric missing it may scale up but never down', () => {
    const policy = createHpaPolicy(honeyjar, { min: 2, max: 20 });
    const s = policy.initialState();
    const up = policy.decide(obs(4, { metrics: { intent_waiting: 900 } }), s, 0);
    assert.equal(up.replicas, 8);
    const down = policy.decide(obs(4, { metrics: { intent_waiting: 10 } }), s, 0);
    assert.equal(down.replicas, 4);
    assert.match(down.reason, /no value for intent_worker_cpu, so no scale-down/);
    assert.equal(policy.decide(obs(4, { metrics: {} }), s, 0).replicas, 4);
  });

  it('[CODE] goes to max or min at once when the current count is outside them', () => {
    const policy = createHpaPolicy(one('q', 100), { min: 2, max: 5 });
    const s = policy.initialState();
    assert.equal(policy.decide(obs(9, { metrics: { q: 0 } }), s, 0).replicas, 5);
    assert.equal(policy.decide(obs(1, { metrics: { q: 9999 } }), s, 0).replicas, 2);
    // Within bounds, the proposal is capped at max (and floored at min).
    assert.equal(policy.decide(obs(4, { metrics: { q: 9999 } }), s, 0).replicas, 5);
  });

  it('keeps the current count when the read failed', () => {
    const policy = createHpaPolicy(one('q', 100), { min: 1, max: 10 });
    const d = policy.decide(failed(3), policy.initialState(), 0);
    assert.equal(d.replicas, 3);
    assert.match(d.reason, /metrics unavailable/);
  });

  it('KEDA with min 0: activates 0 → 1 on activity, and 1 → 0 after 300 s idle', () => {
    const policy = createHpaPolicy(one('q', 100), { min: 0, max: 10 });
    const s0 = policy.initialState();
    assert.equal(policy.decide(obs(0, { metrics: { q: 0 } }), s0, 0).replicas, 0);
    assert.equal(policy.decide(obs(0, { metrics: { q: 5 } }), s0, 0).replicas, 1);
    const { steps } = drive(policy, {
      startReplicas: 1,
      everyMs: 15_000,
      untilMs: 420_000,
      observe: (now, r) => obs(r, { metrics: { q: now < 60_000 ? 50 : 0 } }),
    });
    // Last activity at 45 s: idle for 300 s at 345 s.
    assert.equal(at(steps, 330_000), 1);
    assert.equal(at(steps, 345_000), 0);
  });

  it('state is plain JSON: a saved and reloaded state decides the same', () => {
    const policy = createHpaPolicy(one('q', 100), { min: 1, max: 100 });
    let a = policy.initialState();
    let b = policy.initialState();
    let replicas = 10;
    for (let i = 0; i < 40; i++) {
      const o = obs(replicas, { metrics: { q: 100 * ((i * 7) % 13) } });
      const da = policy.decide(o, a, i * 15_000);
      const db = policy.decide(o, JSON.parse(JSON.stringify(b)) as typeof b, i * 15_000);
      assert.deepEqual(db, da);
      a = da.state;
      b = db.state;
      replicas = da.replicas;
    }
  });
});
