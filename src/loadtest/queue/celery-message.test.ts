import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  celeryArguments,
  celeryMessage,
  decodeCeleryMessage,
  pythonJson,
  pythonRepr,
} from './celery-message.ts';

/**
 * What Celery 5.2.6 (kombu 5.2.4, Debian bookworm) LPUSHed, read back with RPOP, for
 * `app.send_task('tasks.send', args=[2, 'x', {'to': 'é@b'}], task_id=…, queue='hr-capture-q')`
 * and for the same task with `kwargs={'to': 'a@b', 'n': None}`. Only `reply_to` (the app's
 * result queue) is emptied: headroom asks for no replies.
 */
const CELERY_ARGS =
  '{"body": "W1syLCAieCIsIHsidG8iOiAiXHUwMGU5QGIifV0sIHt9LCB7ImNhbGxiYWNrcyI6IG51bGwsICJlcnJiYWNrcyI6IG51bGwsICJjaGFpbiI6IG51bGwsICJjaG9yZCI6IG51bGx9XQ==", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"lang": "py", "task": "tasks.send", "id": "1b048f1c-c836-4844-9ec2-54c0277a743c", "shadow": null, "eta": null, "expires": null, "group": null, "group_index": null, "retries": 0, "timelimit": [null, null], "root_id": "1b048f1c-c836-4844-9ec2-54c0277a743c", "parent_id": null, "argsrepr": "[2, \'x\', {\'to\': \'\\u00e9@b\'}]", "kwargsrepr": "{}", "origin": "gen21038@vm", "ignore_result": false}, "properties": {"correlation_id": "1b048f1c-c836-4844-9ec2-54c0277a743c", "reply_to": "", "delivery_mode": 2, "delivery_info": {"exchange": "", "routing_key": "hr-capture-q"}, "priority": 0, "body_encoding": "base64", "delivery_tag": "700cd164-6f89-4a90-97f6-0bba9fad1dcb"}}';
const CELERY_KWARGS =
  '{"body": "W1tdLCB7InRvIjogImFAYiIsICJuIjogbnVsbH0sIHsiY2FsbGJhY2tzIjogbnVsbCwgImVycmJhY2tzIjogbnVsbCwgImNoYWluIjogbnVsbCwgImNob3JkIjogbnVsbH1d", "content-encoding": "utf-8", "content-type": "application/json", "headers": {"lang": "py", "task": "tasks.send", "id": "2b048f1c-c836-4844-9ec2-54c0277a743c", "shadow": null, "eta": null, "expires": null, "group": null, "group_index": null, "retries": 0, "timelimit": [null, null], "root_id": "2b048f1c-c836-4844-9ec2-54c0277a743c", "parent_id": null, "argsrepr": "()", "kwargsrepr": "{\'to\': \'a@b\', \'n\': None}", "origin": "gen21038@vm", "ignore_result": false}, "properties": {"correlation_id": "2b048f1c-c836-4844-9ec2-54c0277a743c", "reply_to": "", "delivery_mode": 2, "delivery_info": {"exchange": "", "routing_key": "hr-capture-q"}, "priority": 0, "body_encoding": "base64", "delivery_tag": "7162dc62-f9b2-4086-822f-fa545eea9636"}}';

const BASE = { task: 'tasks.send', queue: 'hr-capture-q', origin: 'gen21038@vm' };

describe('celery message', () => {
  test('is byte for byte what Celery 5.2 pushes for positional arguments', () => {
    const ours = celeryMessage({
      ...BASE,
      id: '1b048f1c-c836-4844-9ec2-54c0277a743c',
      deliveryTag: '700cd164-6f89-4a90-97f6-0bba9fad1dcb',
      data: [2, 'x', { to: 'é@b' }],
    });
    assert.equal(ours, CELERY_ARGS);
  });

  test('is byte for byte what Celery 5.2 pushes for keyword arguments', () => {
    const ours = celeryMessage({
      ...BASE,
      id: '2b048f1c-c836-4844-9ec2-54c0277a743c',
      deliveryTag: '7162dc62-f9b2-4086-822f-fa545eea9636',
      data: { to: 'a@b', n: null },
    });
    assert.equal(ours, CELERY_KWARGS);
  });

  test('a real Celery message decodes as kombu decodes it', () => {
    const decoded = decodeCeleryMessage(CELERY_KWARGS);
    assert.deepEqual(decoded, {
      task: 'tasks.send',
      id: '2b048f1c-c836-4844-9ec2-54c0277a743c',
      args: [],
      kwargs: { to: 'a@b', n: null },
    });
  });

  test('round-trips its own task, id and payload', () => {
    const decoded = decodeCeleryMessage(
      celeryMessage({ ...BASE, id: 'i', deliveryTag: 't', data: { to: 'é@b', n: 3 } }),
    );
    assert.deepEqual(decoded, {
      task: 'tasks.send',
      id: 'i',
      args: [],
      kwargs: { to: 'é@b', n: 3 },
    });
  });

  const payloads = [
    { name: 'an array is args', data: [1, 2], want: { args: [1, 2], kwargs: {} } },
    { name: 'an object is kwargs', data: { a: 1 }, want: { args: [], kwargs: { a: 1 } } },
    { name: 'nothing is no arguments', data: undefined, want: { args: [], kwargs: {} } },
    { name: 'a scalar is the one argument', data: 'x', want: { args: ['x'], kwargs: {} } },
    { name: 'null is the one argument None', data: null, want: { args: [null], kwargs: {} } },
  ];
  for (const p of payloads) {
    test(`payload: ${p.name}`, () => assert.deepEqual(celeryArguments(p.data), p.want));
  }

  const reprs = [
    { name: 'a list', value: [2, 'x', null, true], want: "[2, 'x', None, True]" },
    { name: 'a dict', value: { to: 'a@b', n: false }, want: "{'to': 'a@b', 'n': False}" },
    { name: 'a quote and a backslash', value: "it's\\", want: "'it\\'s\\\\'" },
  ];
  for (const r of reprs) {
    test(`python repr of ${r.name}`, () => assert.equal(pythonRepr(r.value), r.want));
  }

  test("JSON is Python's json.dumps: spaced separators, non-ASCII and DEL escaped", () => {
    assert.equal(
      pythonJson({ a: [1, 'é\u007f'], b: null }),
      '{"a": [1, "\\u00e9\\u007f"], "b": null}',
    );
  });

  test('a message that is not base64 is refused', () => {
    const text = CELERY_ARGS.replace('"body_encoding": "base64"', '"body_encoding": "raw"');
    assert.throws(() => decodeCeleryMessage(text), /not base64/);
  });
});
