import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlan } from '../plan/load.ts';
import { prometheusRules, triggerPromQL } from './prometheus-rules.ts';

const PLAN = `version: 1
name: p
interval: 30s
sources:
  me: { kind: host }
  prom: { kind: prometheus, url: "http://127.0.0.1:9" }
metrics:
  cpu: { from: me, field: cpu_utilization }
  mem: { from: me, field: memory_utilization }
  used: { from: me, field: disk_used_bytes, unit: B }
  p95: { from: prom, query: 'histogram_quantile(0.95, rate(h_bucket[5m]))', unit: ms }
  restarts: { from: me, field: uptime_seconds }
components:
  sms-worker:
    capacity: { disk: 100 GB }
    usage: { disk: used }
triggers:
  - { name: either, expr: "max(cpu / 70%, mem / 80%)", warning: { when: "> 1" } }
  - { name: floor, expr: "min(cpu, 0.5)", warning: { when: "> 0.4" } }
  - { name: disk, expr: sms-worker.disk.utilization, for: 10m, warning: { when: "> 70%", action: upgrade, lead_time: 2w } }
  - { name: latency, expr: p95, critical: { when: "> 200ms" } }
  - { name: flapping, expr: "increase(restarts, 1h)", warning: { when: "> 10" } }
`;

describe('export prometheus-rules', () => {
  const plan = parsePlan(PLAN, 'p.yaml');
  const promql = (name: string): string =>
    triggerPromQL(
      plan,
      plan.triggers.find((t) => t.name === name)!,
    );

  it('max of two vectors selects with or; min with a constant clamps', () => {
    assert.equal(
      promql('either'),
      '((headroom_cpu / 0.7) >= (headroom_mem / 0.8) or (headroom_mem / 0.8))',
    );
    assert.equal(promql('floor'), 'clamp_max(headroom_cpu, 0.5)');
  });

  it('a component utilization becomes usage over the capacity in canonical units', () => {
    assert.equal(promql('disk'), '(headroom_used / 100000000000)');
  });

  it('a prometheus metric becomes its own query, scaled to canonical units', () => {
    assert.equal(promql('latency'), '(histogram_quantile(0.95, rate(h_bucket[5m]))) * 0.001');
  });

  it('window functions become PromQL range functions', () => {
    assert.equal(promql('flapping'), 'increase(headroom_restarts[1h])');
  });

  it('writes one rule per level with for, labels and the action', () => {
    const { yaml, skipped } = prometheusRules(plan);
    assert.deepEqual(skipped, []);
    assert.match(
      yaml,
      /- alert: disk\n\s+expr: \(\(headroom_used \/ 100000000000\)\) > 0\.7\n\s+for: 10m\n\s+labels:\n\s+severity: warning\n\s+plan: p/,
    );
    assert.match(yaml, /action: upgrade\n\s+lead_time: 2w/);
    assert.match(yaml, /interval: 30s/);
  });
});

describe('export of aggregations and of windows in later triggers', () => {
  const plan = parsePlan(
    `version: 1
name: agg
sources:
  me: { kind: host }
metrics:
  pending: { from: me, field: load1 }
  restarts: { from: me, field: uptime_seconds }
triggers:
  - { name: first, expr: "increase(restarts, 1h)", warning: { when: "> 10" } }
  - { name: depth, expr: "sum(pending)", warning: { when: "> 50K" } }
  - { name: later, expr: "rate(restarts, 5m)", warning: { when: "> 1/s" } }
`,
    'agg.yaml',
  );
  const promql = (name: string): string =>
    triggerPromQL(
      plan,
      plan.triggers.find((t) => t.name === name)!,
    );

  it('sum(m) becomes a PromQL sum over the series', () => {
    assert.equal(promql('depth'), 'sum(headroom_pending)');
  });

  it("a window in a later trigger is its own, not the first trigger's", () => {
    assert.equal(promql('later'), 'rate(headroom_restarts[5m])');
  });
});
