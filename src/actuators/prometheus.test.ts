import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { PrometheusActuator } from './prometheus.ts';

describe('prometheus actuator', () => {
  it('publishes the desired replicas per pool in the registry it is given', async () => {
    const registry = new Registry();
    const sms = new PrometheusActuator({ pool: 'sms-worker', registry });
    const email = new PrometheusActuator({ pool: 'email-worker', registry, initial: 2 });
    assert.equal(await sms.current(), 0);
    assert.equal(await email.current(), 2);
    await sms.scale(5, 'target-latency → 5');
    assert.equal(await sms.current(), 5);
    const text = await registry.metrics();
    assert.match(text, /^# TYPE headroom_desired_replicas gauge$/m);
    assert.match(text, /^headroom_desired_replicas\{pool="sms-worker"\} 5$/m);
    assert.match(text, /^headroom_desired_replicas\{pool="email-worker"\} 2$/m);
    assert.equal(sms.status().lastScale?.reason, 'target-latency → 5');
    await sms.close();
    await sms.close();
    const after = await registry.metrics();
    assert.doesNotMatch(after, /pool="sms-worker"/);
    assert.match(after, /pool="email-worker"\} 2/);
    await assert.rejects(sms.scale(1, 'r'), /closed/);
  });

  it('rejects bad replicas and a clashing metric name', async () => {
    const registry = new Registry();
    const a = new PrometheusActuator({ pool: 'a', registry });
    await assert.rejects(a.scale(-2, 'r'), /whole number/);
    const other = new Registry();
    new Counter({ name: 'headroom_desired_replicas', help: 'x', registers: [other] });
    assert.throws(() => new PrometheusActuator({ pool: 'a', registry: other }), /not a gauge/);
  });
});
