/** The oracle reads the trace, not the observation, and sizes by Erlang C one minute ahead. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serversForWaitSlo } from '../capacity/queueing/index.ts';
import { createOraclePolicy, type OracleSpec } from './oracle.ts';
import { failed, obs } from './test-support.ts';

const START = Date.UTC(2025, 0, 1);
const spec: OracleSpec = {
  kind: 'oracle',
  slo: { quantile: 0.95, waitSec: 30 },
  serviceTimeSec: 4,
  arrivalsPerMinute: [60, 600, 120, 0, 0, 30],
  startMs: START,
};
const erlang = (perMinute: number) =>
  serversForWaitSlo({ arrivalRatePerSec: perMinute / 60, serviceTimeSec: 4, slo: spec.slo });

describe('oracle', () => {
  const policy = createOraclePolicy(spec);
  const s = policy.initialState();

  it('sizes for the higher of this minute and the next', () => {
    assert.equal(policy.decide(obs(1), s, START).replicas, erlang(600));
    assert.equal(policy.decide(obs(1), s, START + 59_999).replicas, erlang(600));
    assert.equal(policy.decide(obs(1), s, START + 60_000).replicas, erlang(600));
    assert.equal(policy.decide(obs(1), s, START + 120_000).replicas, erlang(120));
    assert.ok(erlang(600) > erlang(120) && erlang(120) >= 1);
  });

  it('answers 0 with no traffic, and treats minutes outside the trace as none', () => {
    assert.equal(policy.decide(obs(5), s, START + 3 * 60_000).replicas, 0);
    assert.equal(policy.decide(obs(5), s, START + 4 * 60_000).replicas, erlang(30));
    assert.equal(policy.decide(obs(5), s, START + 6 * 60_000).replicas, 0);
    assert.equal(policy.decide(obs(5), s, START - 120_000).replicas, 0);
    assert.equal(policy.decide(obs(5), s, START - 60_000).replicas, erlang(60));
  });

  it('ignores the observation, even a failed one', () => {
    const a = policy.decide(obs(3, { queueLength: 10_000, arrivalRatePerSec: 999 }), s, START);
    const b = policy.decide(failed(40), s, START);
    assert.equal(a.replicas, b.replicas);
    assert.match(a.reason, /oracle: minute 0, highest rate of this minute and the next 10\/s/);
  });

  it('computes each minute once and keeps it in state', () => {
    const d = policy.decide(obs(1), s, START + 1000);
    assert.deepEqual(d.state, { minute: 0, replicas: erlang(600), rate: 10 });
    const again = policy.decide(obs(1), d.state, START + 30_000);
    assert.equal(again.state, d.state);
  });
});
