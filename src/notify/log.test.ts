import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogNotifier } from './log.ts';

describe('log notifier', () => {
  it('writes one line per event', async () => {
    const lines: string[] = [];
    const log = new LogNotifier({ stream: { write: (s: string) => lines.push(s) } });
    await log.send({
      plan: 'shop',
      trigger: 'cpu-high',
      severity: 'critical',
      state: 'resolved',
      labels: {},
      value: 0.5,
      action: 'scale\nout',
      at: Date.UTC(2025, 0, 6, 9),
    });
    assert.deepEqual(lines, [
      '2025-01-06T09:00:00.000Z notify [RESOLVED] critical cpu-high = 0.5 (plan shop)\n',
    ]);
    assert.equal(log.kind, 'log');
    assert.equal(log.name, 'log');
  });
});
