// The example plans against local stand-ins of their queues and tables (examples/standins.ts),
// run as a user runs them: the script fills this machine's shared NATS (127.0.0.1:4222), Redis
// (6379, databases 0 and 1) and PostgreSQL (5432), then `headroom check --json` must read
// exactly what it made, and `--clean` must leave nothing behind. HEADROOM_STANDIN_SUFFIX is
// random per run, so every stream, BullMQ prefix, Celery queue and database is this run's
// own; the script reports the variables that point each plan at those names. roleferry's
// broker gets a private redis-server: kombu's `unacked` hash is one per Redis database, so on a
// shared one its count is not this run's alone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { ExpectedSample, PlanName, StandinReport } from '../../examples/standins.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { freePort, startRedis, type PrivateServer } from '../helpers/servers.ts';

const SUFFIX = randomBytes(4).toString('hex');
const SCRIPT = fileURLToPath(new URL('../../examples/standins.ts', import.meta.url));
const planFile = (plan: string): string =>
  fileURLToPath(new URL(`../../examples/${plan}.yaml`, import.meta.url));

/** The services, set explicitly so a developer's own NATS_URL or DATABASE_URL cannot interfere. */
const SERVICES: Record<string, string> = {
  NATS_URL: 'nats://127.0.0.1:4222',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  VALKEY_QUEUE_URL: 'redis://127.0.0.1:6379/1',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
  HEADROOM_STANDIN_SUFFIX: SUFFIX,
};

/** Runs `npx tsx examples/standins.ts ...args` (as node --import tsx) with `env` over SERVICES. */
function standins(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], {
      env: { ...process.env, ...SERVICES, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

interface CheckJson {
  sources: Record<string, { state: string; last_error?: string }>;
  failures: Record<string, { code: string; message: string }>;
  triggers: { trigger: string; status: string; health: string; value?: number }[];
  samples: ExpectedSample[];
}

async function check(plan: string, env: Record<string, string>): Promise<CheckJson> {
  const args = ['check', '--plan', planFile(plan), '--json', '--no-store'];
  const result = await runCli(args, { env: { ...SERVICES, ...env } });
  assert.ok(result.stdout.startsWith('{'), `check printed no JSON:\n${result.stderr}`);
  return JSON.parse(result.stdout) as CheckJson;
}

const key = (s: { metric: string; labels: Record<string, string> }): string =>
  `${s.metric}${JSON.stringify(Object.entries(s.labels).sort())}`;

/** Triggers that read the stand-ins, with the value each must show, per plan. */
const QUEUE_TRIGGERS: Record<string, Record<string, { status: string; value: number }>> = {
  irisx: {
    // The three consumers' backlogs summed: 215 + 48 + 150.
    'queue-depth': { status: 'ok', value: 413 },
    companies: { status: 'ok', value: 120 },
  },
  // The three queues summed: 35 + 180 + 640.
  insightdesk: { 'queue-depth': { status: 'ok', value: 855 } },
  // openai's 130 waiting is over "add more workers" (> 100), which must hold 30m to fire.
  honeyjar: {
    'queue-depth': { status: 'ok', value: 130 },
    'add-more-workers': { status: 'pending', value: 130 },
  },
  // roleferry's Celery depth drives its autoscaler, not a trigger.
  roleferry: {},
};

/** The source of each plan's stand-ins, which must be `ok`. */
const STANDIN_SOURCES: Record<string, string[]> = {
  irisx: ['nats', 'db'],
  insightdesk: ['queues'],
  honeyjar: ['jobs'],
  roleferry: ['celery', 'db'],
};

let privateRedis: PrivateServer | undefined;
const planEnv: Record<string, Record<string, string>> = {};

before(async () => {
  privateRedis = await startRedis();
  planEnv.roleferry = { REDIS_URL: `redis://127.0.0.1:${privateRedis.port}/0` };
});

after(async () => {
  await privateRedis?.stop();
});

for (const plan of ['irisx', 'insightdesk', 'roleferry', 'honeyjar'] as PlanName[]) {
  describe(`${plan} against its stand-ins`, () => {
    let report: StandinReport;

    before(async () => {
      const made = await standins([plan, '--json'], planEnv[plan]);
      assert.equal(made.code, 0, made.stderr);
      report = JSON.parse(made.stdout) as StandinReport;
    });

    after(async () => {
      await standins([plan, '--clean'], planEnv[plan]); // again, in case a test failed first
    });

    test('check reads exactly the counts the stand-in made, and only those series', async () => {
      assert.ok(report.expect.length > 0);
      const result = await check(plan, report.env);
      for (const source of STANDIN_SOURCES[plan]!) {
        assert.equal(result.sources[source]?.state, 'ok', JSON.stringify(result.sources[source]));
      }
      const metrics = new Set(report.expect.map((s) => s.metric));
      const read = result.samples.filter((s) => metrics.has(s.metric));
      assert.deepEqual(
        new Map(read.map((s) => [key(s), s.value])),
        new Map(report.expect.map((s) => [key(s), s.value])),
      );
    });

    test('the triggers on the stand-ins evaluate to their values', async () => {
      const result = await check(plan, report.env);
      for (const [name, want] of Object.entries(QUEUE_TRIGGERS[plan]!)) {
        const t = result.triggers.find((x) => x.trigger === name);
        assert.ok(t, `${plan} has no trigger ${name}`);
        assert.deepEqual([t.status, t.health, t.value], [want.status, 'ok', want.value], name);
      }
    });

    test('--clean removes everything: check then says not found, never 0', async () => {
      const cleaned = await standins([plan, '--clean'], planEnv[plan]);
      assert.equal(cleaned.code, 0, cleaned.stderr);
      assert.ok(cleaned.stdout.trim().split('\n').length >= 1);
      const result = await check(plan, report.env);
      // Streams and queues are SOURCE_NOT_FOUND; a table's metric fails with its database gone.
      // kombu's `unacked` hash is broker-wide and reads 0 once empty, as kombu deletes it.
      for (const { metric, labels } of report.expect.filter((s) => s.metric !== 'celery_unacked')) {
        const failure = result.failures[metric];
        assert.ok(failure, `${metric} still reads after --clean`);
        if (Object.keys(labels).length > 0) assert.equal(failure.code, 'SOURCE_NOT_FOUND', metric);
      }
      const again = await standins([plan, '--clean'], planEnv[plan]);
      assert.match(again.stdout, new RegExp(`no ${plan} stand-ins to remove`));
    });
  });
}

describe('the stand-in script refuses what it must not do', () => {
  test('an unknown plan is a usage error', async () => {
    const result = await standins(['nope']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /usage: npx tsx examples\/standins\.ts <irisx\|insightdesk/);
  });

  test('a bad suffix is refused before anything is touched', async () => {
    const result = await standins(['honeyjar'], { HEADROOM_STANDIN_SUFFIX: 'Not-Valid' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /HEADROOM_STANDIN_SUFFIX is up to 16 of \[a-z0-9\]/);
  });

  test('a service that is not on this machine needs --yes', async () => {
    const result = await standins(['irisx'], { NATS_URL: 'nats://nats.example.com:4222' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /nats\.example\.com is not this machine.*--yes/s);
  });

  test('a service that is down is named, with how to start it', async () => {
    const port = await freePort();
    const redis = await standins(['honeyjar'], { REDIS_URL: `redis://127.0.0.1:${port}/0` });
    assert.equal(redis.code, 1);
    assert.match(redis.stderr, new RegExp(`Redis at 127\\.0\\.0\\.1:${port}/0 is not reachable`));
    assert.match(redis.stderr, /redis-server/);
    const nats = await standins(['irisx'], { NATS_URL: `nats://127.0.0.1:${port}` });
    assert.equal(nats.code, 1);
    assert.match(
      nats.stderr,
      new RegExp(`NATS at 127\\.0\\.0\\.1:${port} is not reachable.*nats-server -js`),
    );
    const db = await standins(['roleferry', '--clean'], {
      DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/test`,
      REDIS_URL: planEnv.roleferry!.REDIS_URL!,
    });
    assert.equal(db.code, 1);
    assert.match(
      db.stderr,
      new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${port}/test is not reachable`),
    );
  });

  test('a queue that is not a stand-in is left alone', async () => {
    const suffix = randomBytes(4).toString('hex');
    const redis = new Redis(SERVICES.REDIS_URL!);
    const meta = `bull_${suffix}:intent:meta`;
    try {
      await redis.hset(meta, 'opts.maxLenEvents', '10000'); // what `new Queue('intent')` writes
      const result = await standins(['honeyjar'], { HEADROOM_STANDIN_SUFFIX: suffix });
      assert.equal(result.code, 2);
      assert.match(result.stderr, new RegExp(`bullmq bull_${suffix}:intent .* is not a stand-in`));
      assert.equal(await redis.exists(meta), 1);
      const clean = await standins(['honeyjar', '--clean'], { HEADROOM_STANDIN_SUFFIX: suffix });
      assert.equal(clean.code, 2, 'clean refuses it too');
      assert.equal(await redis.exists(meta), 1);
    } finally {
      await redis.del(meta);
      redis.disconnect();
    }
  });
});
