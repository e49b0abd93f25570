import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { HeadroomError } from '../errors.ts';
import type { Actuator } from './actuator.ts';
import { createActuator, type ActuatorDeps } from './from-plan.ts';

const ECHO = fileURLToPath(new URL('../../test/fixtures/actuators/echo-argv.mjs', import.meta.url));
const made: Actuator[] = [];
const dirs: string[] = [];
after(async () => {
  await Promise.allSettled(made.map((a) => a.close()));
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function build(config: Record<string, unknown>, deps: ActuatorDeps = {}): Actuator {
  const actuator = createActuator('sms-worker', config, deps);
  made.push(actuator);
  return actuator;
}

/** Asserts `config` is refused with `code` at `path`, the message and hint matching. */
function refused(
  config: Record<string, unknown>,
  path: string,
  message: RegExp,
  options: { code?: string; hint?: RegExp; deps?: ActuatorDeps } = {},
): void {
  assert.throws(
    () => build(config, options.deps),
    (err: unknown) => {
      assert.ok(err instanceof HeadroomError, String(err));
      assert.equal(err.code, options.code ?? 'PLAN_SCHEMA');
      assert.equal(err.location.path, path);
      assert.ok(err.message.startsWith(`${path}: `), err.message);
      assert.match(err.message, message);
      if (options.hint) assert.match(err.hint ?? '', options.hint);
      return true;
    },
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('createActuator: every kind from its plan entry', () => {
  it('builds each kind', async () => {
    const registry = new Registry();
    const port = await freePort();
    const kinds = [
      build({ kind: 'process', argv: ['node', 'worker.js'], grace: '10s', output: 'ignore' }),
      build({ kind: 'command', argv: ['pm2', 'scale', 'sms-worker', '{replicas}'], timeout: 5 }),
      build({
        kind: 'kubernetes',
        deployment: 'intent-worker',
        namespace: 'ops',
        server: 'https://127.0.0.1:6443',
        token: 't',
      }),
      build({ kind: 'keda-external', port }),
      build({ kind: 'prometheus' }, { registry }),
      build({ kind: 'webhook', url: 'https://deploy.example.com/scale', token: 't' }),
    ];
    assert.deepEqual(
      kinds.map((a) => a.kind),
      ['process', 'command', 'kubernetes', 'keda-external', 'prometheus', 'webhook'],
    );
  });

  it('resolves a relative cwd against the plan folder and passes env', async () => {
    const base = realpathSync(mkdtempSync(join(tmpdir(), 'headroom-plan-')));
    dirs.push(base);
    mkdirSync(join(base, 'workers'));
    const out = join(base, 'calls.jsonl');
    const actuator = build(
      {
        kind: 'command',
        argv: [process.execPath, ECHO, '{replicas}'],
        cwd: 'workers',
        env: { ECHO_OUT: out },
      },
      { baseDir: base, initialReplicas: 2 },
    );
    assert.equal(await actuator.current(), 2);
    await actuator.scale(3, 'r');
    const call = JSON.parse(readFileSync(out, 'utf8')) as { argv: string[]; cwd: string };
    assert.deepEqual(call.argv, ['3']);
    assert.equal(call.cwd, join(base, 'workers'));
  });
});

describe('createActuator: mistakes name the field and what to do', () => {
  it('an unknown or missing kind', () => {
    refused(
      { kind: 'kubernets' },
      'autoscale.sms-worker.actuator.kind',
      /unknown actuator kind "kubernets"/,
      {
        hint: /did you mean "kubernetes"\? kinds: process, command, kubernetes, keda-external, prometheus, webhook/,
      },
    );
    refused({}, 'autoscale.sms-worker.actuator.kind', /missing actuator kind/);
  });

  it('a missing, malformed or unsafe argv', () => {
    refused({ kind: 'command' }, 'autoscale.sms-worker.actuator.argv', /must be a list/);
    refused(
      { kind: 'command', argv: 'pm2 scale sms-worker {replicas}' },
      'autoscale.sms-worker.actuator.argv',
      /must be a list: the program, then its arguments/,
    );
    refused(
      { kind: 'command', argv: ['pm2', 'scale', 'sms-worker', '{replica}'] },
      'autoscale.sms-worker.actuator.argv[3]',
      /unknown placeholder \{replica\}; use \{replicas\}, \{pool\}, \{reason\}/,
    );
    refused(
      { kind: 'command', argv: ['pm2', 'scale', 3] },
      'autoscale.sms-worker.actuator.argv[2]',
      /must be a string/,
    );
    refused(
      { kind: 'command', argv: ['{pool}', 'up'] },
      'autoscale.sms-worker.actuator.argv[0]',
      /the program cannot contain a placeholder/,
    );
    refused({ kind: 'process', argv: [] }, 'autoscale.sms-worker.actuator.argv', /non-empty list/);
  });

  it('an unknown field, with the nearest one', () => {
    refused(
      { kind: 'command', argv: ['pm2'], timout: '5s' },
      'autoscale.sms-worker.actuator.timout',
      /unknown field "timout"/,
      {
        code: 'PLAN_UNKNOWN_FIELD',
        hint: /did you mean "timeout"\? A command actuator takes argv, current_argv, timeout, env, cwd/,
      },
    );
    refused(
      { kind: 'prometheus', metric: 'x' },
      'autoscale.sms-worker.actuator.metric',
      /unknown field/,
      { code: 'PLAN_UNKNOWN_FIELD', deps: { registry: new Registry() }, hint: /takes no fields/ },
    );
  });

  it('bad durations, ports, URLs and values', () => {
    refused(
      { kind: 'command', argv: ['pm2'], timeout: 'soon' },
      'autoscale.sms-worker.actuator.timeout',
      /positive duration/,
    );
    refused(
      { kind: 'keda-external', port: 70000 },
      'autoscale.sms-worker.actuator.port',
      /1 to 65535/,
    );
    refused(
      { kind: 'webhook', url: 'ftp://x' },
      'autoscale.sms-worker.actuator.url',
      /http:\/\/ or https:\/\//,
    );
    refused({ kind: 'webhook' }, 'autoscale.sms-worker.actuator.url', /write the URL/);
    refused(
      { kind: 'webhook', url: 'https://x', token: '' },
      'autoscale.sms-worker.actuator.token',
      /is empty: is its environment variable set\?/,
    );
    refused(
      { kind: 'process', argv: ['w'], env: { N: 3 } },
      'autoscale.sms-worker.actuator.env.N',
      /must be strings/,
    );
  });

  it('kubernetes: exactly one workload, and server or kubeconfig', () => {
    refused(
      { kind: 'kubernetes', namespace: 'ops' },
      'autoscale.sms-worker.actuator',
      /deployment: <name> or statefulset: <name>/,
    );
    refused(
      { kind: 'kubernetes', deployment: 'a', statefulset: 'b' },
      'autoscale.sms-worker.actuator.statefulset',
      /not both/,
    );
    refused(
      { kind: 'kubernetes', deployment: 'Intent_Worker' },
      'autoscale.sms-worker.actuator.deployment',
      /Kubernetes name/,
    );
    refused(
      { kind: 'kubernetes', deployment: 'a', token: 't' },
      'autoscale.sms-worker.actuator.token',
      /token goes with server/,
    );
    refused(
      { kind: 'kubernetes', deployment: 'a', server: 'https://k:6443', context: 'prod' },
      'autoscale.sms-worker.actuator.server',
      /not both/,
    );
    refused(
      { kind: 'kubernetes', deployment: 'a', kubeconfig: '/nonexistent/kubeconfig' },
      'autoscale.sms-worker.actuator.kubeconfig',
      /cannot load the Kubernetes configuration/,
    );
  });

  it('prometheus without a registry', () => {
    refused(
      { kind: 'prometheus' },
      'autoscale.sms-worker.actuator.kind',
      /only `headroom serve` has/,
    );
  });

  it("carries the plan's file, line and column when given a locator", () => {
    assert.throws(
      () =>
        createActuator(
          'sms-worker',
          { kind: 'command', argv: ['x', '{n}'] },
          {
            locate: (path) => ({ file: 'irisx.yaml', line: 418, column: 7, path: path.join('.') }),
          },
        ),
      (err: unknown) =>
        err instanceof HeadroomError &&
        err.location.file === 'irisx.yaml' &&
        err.location.line === 418 &&
        err.location.path === 'autoscale.sms-worker.actuator.argv[1]',
    );
  });
});
