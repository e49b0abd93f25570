import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { formatProgress, liveLine } from './live-line.ts';
import type { LiveProgress } from './types.ts';

const progress = (elapsedMs: number): LiveProgress => ({
  elapsedMs,
  totalMs: 60_000,
  rate: 1234.4,
  p95: 0.0123,
  failed: 3,
  requests: 3000,
  inFlight: 12,
  target: 1250,
});

function sink(isTTY: boolean): { stream: Writable & { isTTY: boolean }; text: () => string } {
  let out = '';
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString();
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => out };
}

describe('live line', () => {
  it('shows rate, p95, errors, in flight, the aim and the time left', () => {
    assert.equal(
      formatProgress(progress(18_000), 'rate'),
      '1,234/s  p95 12.3ms  errors 0.1% (3)  in flight 12  aim 1,250/s  42s left',
    );
    assert.match(
      formatProgress({ ...progress(5000), totalMs: undefined, target: 8 }, 'vus'),
      /aim 8 VUs {2}5s elapsed$/,
    );
  });

  it('redraws in place on a terminal and clears itself at the end', () => {
    const out = sink(true);
    const line = liveLine({ stream: out.stream, aimKind: 'rate' });
    line.update(progress(250));
    line.update(progress(500));
    line.done();
    assert.equal(out.text().split('\r\x1b[K').length, 4);
    assert.ok(!out.text().includes('\n'));
  });

  it('writes one plain line every 10 s elsewhere, and nothing when quiet', () => {
    const out = sink(false);
    const line = liveLine({ stream: out.stream, aimKind: 'rate' });
    for (let t = 250; t <= 25_000; t += 250) line.update(progress(t));
    line.done();
    assert.equal(out.text().split('\n').filter(Boolean).length, 2);
    const quiet = sink(true);
    const q = liveLine({ stream: quiet.stream, aimKind: 'rate', quiet: true });
    q.update(progress(250));
    q.done();
    assert.equal(quiet.text(), '');
  });
});
