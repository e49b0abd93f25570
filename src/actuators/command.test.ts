import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { HeadroomError } from '../errors.ts';
import { ActuatorError } from './actuator.ts';
import { CommandActuator, display, fillTemplate, templateProblem } from './command.ts';

const ECHO = fileURLToPath(new URL('../../test/fixtures/actuators/echo-argv.mjs', import.meta.url));
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A scratch directory (the commands' cwd) and the file echo-argv.mjs appends to. */
function scratch(): { dir: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-command-'));
  dirs.push(dir);
  return { dir, out: join(dir, 'calls.jsonl') };
}

interface Call {
  argv: string[];
  env: Record<string, string>;
}

function calls(out: string): Call[] {
  if (!existsSync(out)) return [];
  return readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Call);
}

function echo(
  argv: string[],
  env: Record<string, string>,
  more: Partial<ConstructorParameters<typeof CommandActuator>[0]> = {},
): { actuator: CommandActuator; dir: string; out: string } {
  const { dir, out } = scratch();
  const actuator = new CommandActuator({
    pool: 'sms-worker',
    argv: [process.execPath, ECHO, ...argv],
    cwd: dir,
    env: { ECHO_OUT: out, ...env },
    ...more,
  });
  return { actuator, dir, out };
}

describe('command actuator: template checks', () => {
  it('accepts placeholders in all or part of an argument', () => {
    assert.equal(templateProblem(['pm2', 'scale', 'sms', '{replicas}'], ['replicas']), undefined);
    assert.equal(templateProblem(['aws', '--count={replicas}'], ['replicas']), undefined);
  });

  it('rejects an empty list, a non-string, a placeholder in the program and unknown names', () => {
    const allowed = ['replicas', 'pool', 'reason'];
    assert.deepEqual(templateProblem([], allowed), {
      path: '',
      message: 'must be a non-empty list: the program, then its arguments',
    });
    assert.equal(templateProblem('pm2 scale x 3', allowed)?.path, '');
    assert.match(templateProblem(['pm2', 3], allowed)!.message, /must be a string/);
    assert.deepEqual(templateProblem(['{pool}-ctl', 'up'], allowed), {
      path: '[0]',
      message: 'the program cannot contain a placeholder; name it',
    });
    assert.deepEqual(templateProblem(['pm2', 'scale', '{replica}'], allowed), {
      path: '[2]',
      message: 'unknown placeholder {replica}; use {replicas}, {pool}, {reason}',
    });
    assert.equal(templateProblem(['pm2', 'a\0b'], allowed)?.path, '[1]');
  });

  it('throws PLAN_SCHEMA naming the field when built from a bad template', () => {
    assert.throws(
      () => new CommandActuator({ pool: 'sms-worker', argv: ['pm2', 'scale', '{count}'] }),
      (err: unknown) =>
        err instanceof HeadroomError &&
        err.code === 'PLAN_SCHEMA' &&
        err.location.path === 'autoscale.sms-worker.actuator.argv[2]' &&
        /unknown placeholder \{count\}/.test(err.message),
    );
    assert.throws(
      () =>
        new CommandActuator({
          pool: 'sms-worker',
          argv: ['pm2', 'scale'],
          currentArgv: ['pm2', '{replicas}'],
        }),
      /actuator\.current_argv\[1\]: unknown placeholder \{replicas\}; use \{pool\}/,
    );
  });

  it('fills placeholders without ever changing the number of arguments', () => {
    const template = ['prog', '{replicas}', 'n={replicas};p={pool}', '{reason}', '{other}'];
    const filled = fillTemplate(template, { replicas: '3', pool: 'a b', reason: 'x y z' });
    assert.deepEqual(filled, ['prog', '3', 'n=3;p=a b', 'x y z', '{other}']);
    assert.equal(filled.length, template.length);
  });

  it('displays an argv with its spaced arguments quoted', () => {
    assert.equal(display(['pm2', 'scale', 'a b', '3']), 'pm2 scale "a b" 3');
  });
});

describe('command actuator: running the command', () => {
  it('runs the program with the replicas substituted and remembers the value', async () => {
    const { actuator, out } = echo(['scale', 'sms-worker', '{replicas}'], {}, { initial: 2 });
    assert.equal(await actuator.current(), 2);
    await actuator.scale(5, 'target-latency: λ 2/s → 5');
    assert.equal(await actuator.current(), 5);
    const [call] = calls(out);
    assert.deepEqual(call!.argv, ['scale', 'sms-worker', '5']);
    assert.equal(call!.env.HEADROOM_REPLICAS, '5');
    assert.equal(call!.env.HEADROOM_POOL, 'sms-worker');
    assert.equal(actuator.status().lastScale?.replicas, 5);
    await actuator.close();
  });

  it('passes a reason full of shell metacharacters as one literal argument, running nothing', async () => {
    const { actuator, dir, out } = echo(
      ['--replicas', '{replicas}', '--why={reason}', '{reason}'],
      {},
    );
    const reason =
      'x; touch PWNED1 && $(touch PWNED2) `touch PWNED3` | rm -rf / > out.txt * "q" \'s\' \\n\nnext line';
    await actuator.scale(3, reason);
    const [call] = calls(out);
    const flat = reason.replace(/\n/g, ' ');
    assert.deepEqual(call!.argv, ['--replicas', '3', `--why=${flat}`, flat]);
    assert.equal(call!.env.HEADROOM_REASON, flat);
    // Nothing was interpreted: no file appeared besides the echo's own output.
    assert.deepEqual(readdirSync(dir), ['calls.jsonl']);
    await actuator.close();
  });

  it('never lets a reason read as an option', async () => {
    const { actuator, out } = echo(['{reason}'], {});
    await actuator.scale(1, '--force -rf now');
    assert.deepEqual(calls(out)[0]!.argv, ['force -rf now']);
    await actuator.close();
  });

  it('rejects replicas that are not a whole number, before running anything', async () => {
    const { actuator, out } = echo(['{replicas}'], {});
    for (const bad of [Number('5; rm -rf /'), 2.5, -1, Infinity, 1e9]) {
      await assert.rejects(actuator.scale(bad, 'bad'), ActuatorError);
    }
    // A value like `5; rm -rf /` or `$(touch x)` cannot even be typed as replicas; as text
    // in a reason it stays one literal argument (tested above).
    assert.deepEqual(calls(out), []);
    await actuator.close();
  });

  it('fails with the exit code and the tail of stderr', async () => {
    const { actuator } = echo(['{replicas}'], { ECHO_FAIL: '4' });
    await assert.rejects(actuator.scale(2, 'r'), (err: unknown) => {
      assert.ok(err instanceof ActuatorError);
      assert.match(err.message, /^command actuator of sms-worker: `.+ 2` exited with code 4: /);
      assert.match(err.message, /planned failure: quota exceeded$/);
      return true;
    });
    assert.match(actuator.status().lastError!.message, /exited with code 4/);
    assert.equal(await actuator.current(), 0, 'a failed change is not remembered');
    await actuator.close();
  });

  it('stops a command that runs past its deadline', async () => {
    const { actuator } = echo(['{replicas}'], { ECHO_HANG: '1' }, { timeoutMs: 300 });
    const started = Date.now();
    await assert.rejects(actuator.scale(2, 'r'), /did not finish within 0.3s and was stopped/);
    assert.ok(Date.now() - started < 5000);
    await actuator.close();
  });

  it('says so when the program does not exist', async () => {
    const actuator = new CommandActuator({
      pool: 'sms-worker',
      argv: ['headroom-no-such-program-x', '{replicas}'],
    });
    await assert.rejects(actuator.scale(1, 'r'), (err: unknown) => {
      assert.ok(err instanceof ActuatorError);
      assert.match(err.message, /cannot run "headroom-no-such-program-x": ENOENT/);
      assert.match(err.hint!, /autoscale\.sms-worker\.actuator\.argv\[0\]/);
      return true;
    });
  });

  it('reads the replicas from current_argv, and rejects output that is not a number', async () => {
    const { dir, out } = scratch();
    const make = (print: string): CommandActuator =>
      new CommandActuator({
        pool: 'sms-worker',
        argv: [process.execPath, ECHO, '{replicas}'],
        currentArgv: [process.execPath, ECHO, 'count', '{pool}'],
        cwd: dir,
        env: { ECHO_OUT: out, ECHO_PRINT: print },
      });
    assert.equal(await make('7\n').current(), 7);
    assert.deepEqual(calls(out)[0]!.argv, ['count', 'sms-worker']);
    await assert.rejects(make('seven').current(), /printed "seven", not a whole number/);
  });

  it('runs changes one at a time, in order', async () => {
    const { actuator, out } = echo(['{replicas}'], {});
    await Promise.all([actuator.scale(1, 'a'), actuator.scale(2, 'b'), actuator.scale(3, 'c')]);
    assert.deepEqual(
      calls(out).map((c) => c.argv[0]),
      ['1', '2', '3'],
    );
    assert.equal(await actuator.current(), 3);
    await actuator.close();
    await assert.rejects(actuator.scale(4, 'd'), /closed/);
  });
});
