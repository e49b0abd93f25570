import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { HttpTarget } from './http-target.ts';
import { runBreakpoint, runExecutor } from './runner.ts';
import { parseThresholdArg } from './thresholds.ts';
import type { IterationOutcome, LiveProgress, Target, Threshold } from './types.ts';

/** A target whose iterations take `latencyMs` (or wait for one of `slots` servers of `serviceMs`). */
class FakeTarget implements Target {
  readonly description = 'fake';
  readonly starts: number[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private busy = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly o: {
      latencyMs?: number;
      outcome?: IterationOutcome;
      slots?: number;
      serviceMs?: number;
    } = {},
  ) {}

  iterate(signal: AbortSignal): Promise<IterationOutcome> {
    this.starts.push(performance.now());
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const outcome = this.o.outcome ?? { ok: true, name: 'fake', status: 200 };
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (o: IterationOutcome): void => {
        clearTimeout(timer);
        this.inFlight--;
        resolve(o);
      };
      signal.addEventListener(
        'abort',
        () => finish({ ok: false, name: 'fake', error: 'aborted' }),
        {
          once: true,
        },
      );
      if (this.o.slots === undefined) {
        timer = setTimeout(() => finish(outcome), this.o.latencyMs ?? 1);
        return;
      }
      const serve = (): void => {
        this.busy++;
        timer = setTimeout(() => {
          this.busy--;
          this.queue.shift()?.();
          finish(outcome);
        }, this.o.serviceMs);
      };
      if (this.busy < this.o.slots) serve();
      else this.queue.push(serve);
    });
  }

  async close(): Promise<void> {}
}

const threshold = (text: string, over: Partial<Threshold> = {}): Threshold => ({
  ...parseThresholdArg(text, 'test'),
  ...over,
});
const rate = (r: number, durationMs: number, maxVUs = 1000) =>
  ({ executor: 'constant-arrival-rate', rate: r, timeUnitMs: 1000, durationMs, maxVUs }) as const;

describe('runExecutor, open loop', () => {
  it('constant-arrival-rate starts rate × duration iterations on schedule', async () => {
    const target = new FakeTarget({ latencyMs: 5 });
    const t0 = performance.now();
    const report = await runExecutor(rate(200, 1000), target, { thresholds: [] });
    assert.equal(report.requests, 200);
    assert.equal(report.dropped_iterations, 0);
    assert.ok(Math.abs(report.rate - 200) < 20, `rate ${report.rate}`);
    const lateness = target.starts.map((s, i) => s - t0 - i * 5);
    assert.ok(Math.max(...lateness) < 60, `latest start ${Math.max(...lateness)} ms late`);
    assert.equal(report.stages.length, 1);
    assert.equal(report.stages[0]!.target, 200);
    assert.equal(report.stages[0]!.targetKind, 'rate');
    const c = report.stages[0]!.concurrency;
    assert.ok(c > 0.5 && c < 3, `concurrency ${c}`);
    assert.equal(report.executor, 'constant-arrival-rate');
    assert.equal(report.ok, true);
  });

  it('measures latency from the intended start: an event-loop stall shows, and missed starts catch up', async () => {
    const target = new FakeTarget({ latencyMs: 1 });
    setTimeout(() => {
      const until = performance.now() + 250;
      while (performance.now() < until); // the generator itself is stalled
    }, 300);
    const report = await runExecutor(rate(100, 1000), target, { thresholds: [] });
    assert.equal(report.requests, 100);
    assert.ok(report.latency.p99 > 0.15, `p99 ${report.latency.p99} s`);
    assert.ok(report.latency.p50 < 0.05, `p50 ${report.latency.p50} s`);
  });

  it('drops and counts iterations beyond maxVUs in flight (k6 dropped_iterations)', async () => {
    const target = new FakeTarget({ latencyMs: 400 });
    const report = await runExecutor(rate(100, 1000, 5), target, { thresholds: [] });
    assert.ok(target.maxInFlight <= 5);
    assert.equal(report.requests + report.dropped_iterations, 100);
    assert.ok(
      report.dropped_iterations >= 75 && report.dropped_iterations <= 95,
      `${report.dropped_iterations}`,
    );
    assert.equal(report.stages[0]!.dropped, report.dropped_iterations);
    assert.ok(report.stages[0]!.concurrency > 3.5 && report.stages[0]!.concurrency <= 5.01);
  });

  it('ramping-arrival-rate reports each stage with its own rate and wall-clock bounds', async () => {
    const target = new FakeTarget({ latencyMs: 2 });
    const before = Date.now();
    const report = await runExecutor(
      {
        executor: 'ramping-arrival-rate',
        startRate: 0,
        timeUnitMs: 1000,
        stages: [
          { durationMs: 500, target: 100 },
          { durationMs: 1000, target: 100 },
        ],
        maxVUs: 100,
      },
      target,
      { thresholds: [] },
    );
    const [ramp, hold] = report.stages;
    assert.ok(ramp && hold);
    assert.equal(target.starts.length, 125);
    assert.ok(Math.abs(ramp.requests - 25) <= 4, `ramp ${ramp.requests}`);
    assert.ok(Math.abs(hold.requests - 100) <= 4, `hold ${hold.requests}`);
    assert.ok(Math.abs(hold.rate - 100) < 10);
    assert.deepEqual([ramp.target, hold.target], [100, 100]);
    assert.ok(ramp.started_at >= before && ramp.ended_at === hold.started_at);
    assert.ok(Math.abs(ramp.ended_at - ramp.started_at - 500) < 30);
  });
});

describe('runExecutor, closed loop', () => {
  it('constant-vus: each VU loops, and concurrency is the number of VUs', async () => {
    const target = new FakeTarget({ latencyMs: 10 });
    const report = await runExecutor(
      { executor: 'constant-vus', vus: 4, durationMs: 600 },
      target,
      {
        thresholds: [],
      },
    );
    assert.equal(target.maxInFlight, 4);
    assert.ok(report.requests > 100 && report.requests < 260, `${report.requests}`);
    const c = report.stages[0]!.concurrency;
    assert.ok(c > 3.4 && c <= 4.01, `concurrency ${c}`);
    assert.equal(report.stages[0]!.targetKind, 'vus');
  });

  it('ramping-vus follows the stages', async () => {
    const target = new FakeTarget({ latencyMs: 20 });
    const report = await runExecutor(
      {
        executor: 'ramping-vus',
        startVUs: 0,
        stages: [
          { durationMs: 400, target: 4 },
          { durationMs: 400, target: 4 },
        ],
        gracefulRampDownMs: 1000,
      },
      target,
      { thresholds: [] },
    );
    const [ramp, hold] = report.stages;
    assert.ok(ramp!.concurrency > 1.2 && ramp!.concurrency < 2.8, `ramp ${ramp!.concurrency}`);
    assert.ok(hold!.concurrency > 3.4 && hold!.concurrency <= 4.01, `hold ${hold!.concurrency}`);
    assert.equal(target.maxInFlight, 4);
  });

  it('ramping down cuts a VU whose iteration outlasts gracefulRampDown, and does not measure it', async () => {
    const target = new FakeTarget({ latencyMs: 3000 });
    const t0 = performance.now();
    const report = await runExecutor(
      {
        executor: 'ramping-vus',
        startVUs: 3,
        stages: [
          { durationMs: 200, target: 3 },
          { durationMs: 100, target: 0 },
          { durationMs: 500, target: 0 },
        ],
        gracefulRampDownMs: 50,
      },
      target,
      { thresholds: [] },
    );
    assert.ok(performance.now() - t0 < 1500);
    assert.equal(target.maxInFlight, 3);
    assert.equal(report.requests, 0);
  });
});

describe('runExecutor, thresholds and stopping', () => {
  const failing = (): FakeTarget =>
    new FakeTarget({ outcome: { ok: false, name: 'fake', status: 500 } });

  it('judges thresholds on the whole run at the end', async () => {
    const report = await runExecutor(rate(50, 400), failing(), {
      thresholds: [
        threshold('http_req_failed: rate<0.01'),
        threshold('http_req_duration: p(95)<1000'),
      ],
    });
    assert.equal(report.ok, false);
    assert.deepEqual(report.thresholds[0], {
      metric: 'http_req_failed',
      expr: 'rate<0.01',
      ok: false,
      value: 1,
    });
    assert.equal(report.thresholds[1]!.ok, true);
  });

  it('abortOnFail stops the run within about a second and names the threshold', async () => {
    const report = await runExecutor(rate(50, 10_000), failing(), {
      thresholds: [threshold('http_req_failed: rate<0.01', { abortOnFail: true })],
    });
    assert.ok(report.duration_s < 2.5, `${report.duration_s} s`);
    assert.equal(report.aborted_by, 'http_req_failed: rate<0.01');
    assert.equal(report.interrupted, false);
    assert.equal(report.ok, false);
  });

  it('delayAbortEval holds the abort back', async () => {
    const report = await runExecutor(rate(50, 10_000), failing(), {
      thresholds: [
        threshold('http_req_failed: rate<0.01', { abortOnFail: true, delayAbortEvalMs: 1500 }),
      ],
    });
    assert.ok(report.duration_s >= 1.5 && report.duration_s < 3.5, `${report.duration_s} s`);
    assert.equal(report.aborted_by, 'http_req_failed: rate<0.01');
  });

  it('the signal stops scheduling, lets in-flight iterations end and returns a partial report', async () => {
    const target = new FakeTarget({ latencyMs: 100 });
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 500);
    const report = await runExecutor(rate(50, 10_000), target, {
      thresholds: [],
      signal: stop.signal,
    });
    assert.equal(report.interrupted, true);
    assert.equal(report.ok, false);
    assert.ok(report.duration_s < 1.2, `${report.duration_s} s`);
    assert.equal(
      report.requests,
      target.starts.length,
      'every started iteration ended and counted',
    );
    assert.ok(report.requests >= 20 && report.requests <= 30);
  });

  it('cuts in-flight iterations after gracefulStopMs', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 200);
    const t0 = performance.now();
    const report = await runExecutor(rate(20, 10_000), new FakeTarget({ latencyMs: 5000 }), {
      thresholds: [],
      signal: stop.signal,
      gracefulStopMs: 200,
    });
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(report.requests, 0);
    assert.equal(report.interrupted, true);
  });

  it('reports progress every 250 ms', async () => {
    const seen: LiveProgress[] = [];
    await runExecutor(rate(100, 1100), new FakeTarget(), {
      thresholds: [],
      onProgress: (p) => seen.push(p),
    });
    assert.ok(seen.length >= 3, `${seen.length} reports`);
    const mid = seen.find((p) => p.elapsedMs > 600 && p.elapsedMs < 1000)!;
    assert.ok(mid.requests > 40 && mid.totalMs === 1100);
    assert.ok(Math.abs(mid.target - 100) < 1e-6);
    assert.ok(mid.rate > 50 && mid.rate < 150, `rate ${mid.rate}`);
  });
});

describe('runBreakpoint', () => {
  it('raises the rate step by step until the service saturates, and reports the steps', async () => {
    // Two servers of 10 ms: at most 200/s.
    const target = new FakeTarget({ slots: 2, serviceMs: 10 });
    const report = await runBreakpoint(
      {
        startRate: 50,
        maxRate: 1000,
        stepMs: 400,
        growth: 2,
        resolution: 0.1,
        maxDurationMs: 8000,
        maxVUs: 20,
      },
      target,
      { thresholds: [threshold('http_req_duration: p(95)<100')] },
    );
    assert.equal(report.executor, 'breakpoint');
    const b = report.breakpoint!;
    assert.ok(b.rate >= 80 && b.rate <= 260, `breakpoint ${b.rate}/s`);
    assert.ok(b.max_throughput <= 230, `max throughput ${b.max_throughput}/s`);
    assert.ok(
      report.stages.some((s) => s.ok === true) && report.stages.some((s) => s.ok === false),
    );
    assert.ok(report.stages.every((s) => s.targetKind === 'rate' && s.target > 0));
  });
});

describe('runExecutor over HTTP', () => {
  it('loads a real local server through HttpTarget', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const target = new HttpTarget(
      [
        {
          name: url,
          url,
          method: 'GET',
          headers: {},
          weight: 1,
          expectStatus: (s) => s < 400,
          timeoutMs: 5000,
        },
      ],
      { connections: 20 },
    );
    try {
      const report = await runExecutor(rate(100, 500, 20), target, {
        thresholds: [threshold('http_req_failed: rate<0.01')],
      });
      assert.equal(report.requests, 50);
      assert.equal(report.failed_rate, 0);
      assert.ok(report.latency.p50 < 0.05);
      assert.equal(report.ok, true);
      assert.equal(report.target, `GET ${url}`);
    } finally {
      await target.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
