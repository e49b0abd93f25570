/** fixed always answers its replicas, whatever it observes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFixedPolicy } from './fixed.ts';
import { failed, obs } from './test-support.ts';

describe('fixed', () => {
  it('always answers its replicas', () => {
    const policy = createFixedPolicy({ kind: 'fixed', replicas: 3 });
    const s = policy.initialState();
    for (const o of [obs(1), obs(9, { queueLength: 1e6 }), failed(0)]) {
      const d = policy.decide(o, s, 0);
      assert.equal(d.replicas, 3);
      assert.equal(d.reason, 'fixed: 3 replicas');
    }
  });

  it('refuses a count that is not a whole number', () => {
    assert.throws(() => createFixedPolicy({ kind: 'fixed', replicas: 2.5 }), /whole number/);
  });
});
