import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { triggerSpecs } from '../trigger-specs.ts';
import { close, level, loadExample } from './load-example.ts';

describe('local watches this machine', () => {
  const plan = loadExample('local');

  it('reads only the host source, root disk included', () => {
    assert.deepEqual(
      Object.values(plan.raw.sources!).map((s) => s.kind),
      ['host'],
    );
    assert.equal(plan.metrics.disk_used!.select.path, '/');
    assert.deepEqual(
      plan.triggers.map((t) => t.expr.text),
      ['host.cpu.utilization', 'host.memory.utilization', 'host.disk.utilization', 'load_per_cpu'],
    );
  });

  it('an idle machine is ok, a full disk is critical', () => {
    const idle = {
      cpu_utilization: 0.05,
      cpu_count: 4,
      memory_used: 2e9,
      memory_total: 16e9,
      disk_used: 40e9,
      disk_utilization: 0.4,
      load1: 0.3,
      load_per_cpu: 0.075,
    };
    for (const spec of triggerSpecs(plan)) {
      const value = spec.compute(idle);
      for (const l of spec.levels)
        assert.ok(!(value > l.condition.threshold), `${spec.name} ${l.severity} at ${value}`);
    }
    const disk = triggerSpecs(plan).find((s) => s.name === 'disk')!;
    close(disk.compute({ ...idle, disk_used: 98e9, disk_utilization: 0.98 }), 0.98);
    assert.equal(level(plan, 'disk', 'critical').condition.threshold, 0.97);
  });
});
