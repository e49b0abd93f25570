import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { HeadroomError } from '../errors.ts';
import { ActuatorError } from './actuator.ts';
import { ProcessActuator, type ProcessActuatorOptions } from './process.ts';

const WORKER = fileURLToPath(new URL('../../test/fixtures/actuators/worker.mjs', import.meta.url));
const dirs: string[] = [];
const actuators: ProcessActuator[] = [];
after(async () => {
  await Promise.allSettled(actuators.map((a) => a.close()));
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** A pool of fixture workers; `warnings` collects what the actuator logs. */
function pool(
  env: Record<string, string> = {},
  more: Partial<ProcessActuatorOptions> = {},
): { actuator: ProcessActuator; log: string; warnings: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-process-'));
  dirs.push(dir);
  const log = join(dir, 'events.log');
  const warnings: string[] = [];
  const actuator = new ProcessActuator({
    pool: 'sms-worker',
    argv: [process.execPath, WORKER],
    env: { WORKER_LOG: log, ...env },
    output: 'ignore',
    log: (line) => warnings.push(line),
    ...more,
  });
  actuators.push(actuator);
  return { actuator, log, warnings };
}

function events(log: string): string[] {
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
}

/** Polls until `check` holds; fails after 10 s. */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('process actuator', () => {
  it('starts one process per replica, each with its number and the pool', async () => {
    const { actuator, log } = pool();
    await actuator.scale(3, 'up');
    assert.equal(await actuator.current(), 3);
    const workers = actuator.workers();
    assert.deepEqual(
      workers.map((w) => w.id),
      [1, 2, 3],
    );
    assert.ok(workers.every((w) => alive(w.pid) && !w.stopping));
    await until(() => events(log).length === 3, 'three workers to start');
    assert.deepEqual(events(log).sort(), ['1 started', '2 started', '3 started']);
    assert.equal(actuator.status().lastScale?.replicas, 3);
    await actuator.close();
    assert.ok(workers.every((w) => !alive(w.pid)));
  });

  it('scales down newest first, waiting for each to drain', async () => {
    const { actuator, log } = pool({ DRAIN_MS: '300' });
    await actuator.scale(3, 'up');
    await until(() => events(log).length === 3, 'three workers to start');
    const [oldest] = actuator.workers();
    const started = Date.now();
    await actuator.scale(1, 'down');
    assert.ok(Date.now() - started >= 250, 'the change waits for the drain');
    assert.equal(await actuator.current(), 1);
    assert.deepEqual(
      actuator.workers().map((w) => w.id),
      [1],
    );
    assert.ok(alive(oldest!.pid));
    const log2 = events(log);
    for (const id of ['2', '3']) {
      assert.ok(log2.includes(`${id} draining`) && log2.includes(`${id} drained`), log2.join());
    }
    assert.ok(!log2.includes('1 draining'));
    await actuator.close();
  });

  it('kills a worker that does not drain within the grace period, with a warning', async () => {
    const { actuator, log, warnings } = pool({ WORKER_MODE: 'stubborn' }, { graceMs: 300 });
    await actuator.scale(1, 'up');
    await until(() => events(log).includes('1 started'), 'the worker to start');
    const [worker] = actuator.workers();
    await actuator.scale(0, 'down');
    assert.ok(events(log).includes('1 ignored SIGTERM'));
    assert.ok(!alive(worker!.pid));
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /^warning: process actuator of sms-worker: worker 1 \(pid \d+\) did not exit within 0.3s of SIGTERM; sent SIGKILL/,
    );
    assert.match(actuator.status().lastError!.message, /sent SIGKILL/);
  });

  it('notices a crashed worker, reports its exit code and stderr, and counts live ones only', async () => {
    const { actuator, warnings } = pool({ WORKER_MODE: 'crash', CRASH_MS: '100' });
    await actuator.scale(2, 'up');
    await until(async () => (await actuator.current()) === 0, 'the workers to crash');
    assert.equal(actuator.crashCount(), 2);
    assert.equal(warnings.length, 2);
    assert.match(
      warnings[0]!,
      /worker \d \(pid \d+\) exited with code 3 without being asked to stop: worker: cannot connect to the queue: ECONNREFUSED$/,
    );
    assert.match(actuator.status().lastError!.message, /exited with code 3/);
    // The next decision replaces them.
    await actuator.scale(1, 'replace');
    assert.equal(await actuator.current(), 1);
    await actuator.close();
  });

  it('fails a change when the program cannot be started', async () => {
    const actuator = new ProcessActuator({ pool: 'sms-worker', argv: ['headroom-no-such-worker'] });
    actuators.push(actuator);
    await assert.rejects(actuator.scale(1, 'up'), (err: unknown) => {
      assert.ok(err instanceof ActuatorError);
      assert.match(err.message, /cannot start "headroom-no-such-worker": ENOENT/);
      assert.match(err.hint!, /autoscale\.sms-worker\.actuator\.argv\[0\]/);
      return true;
    });
    assert.equal(await actuator.current(), 0);
  });

  it('refuses changes after close and stops every worker', async () => {
    const { actuator } = pool();
    await actuator.scale(2, 'up');
    const pids = actuator.workers().map((w) => w.pid);
    await actuator.close();
    await actuator.close();
    assert.ok(pids.every((pid) => !alive(pid)));
    assert.equal(await actuator.current(), 0);
    await assert.rejects(actuator.scale(1, 'up'), /closed/);
  });

  it('rejects an empty command as a plan error', () => {
    assert.throws(
      () => new ProcessActuator({ pool: 'sms-worker', argv: [] }),
      (err: unknown) =>
        err instanceof HeadroomError && err.location.path === 'autoscale.sms-worker.actuator.argv',
    );
  });
});
