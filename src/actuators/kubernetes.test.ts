// The kubernetes actuator against a stand-in API server (node:http on 127.0.0.1) that serves
// the documented scale subresource endpoints and checks every request it gets: the method,
// the path, the bearer token, the merge-patch content type, the fieldManager and the body.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ActuatorError } from './actuator.ts';
import { KubernetesActuator, type KubernetesActuatorOptions } from './kubernetes.ts';

const TOKEN = 'test-token-123';
const SCALE_PATH =
  /^\/apis\/apps\/v1\/namespaces\/([a-z0-9-]+)\/(deployments|statefulsets)\/([a-z0-9-]+)\/scale(\?.*)?$/;

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  body: unknown;
}

/** Workloads and their replicas, by `<namespace>/<resource>/<name>`. */
const workloads = new Map<string, number>();
const seen: Seen[] = [];
const problems: string[] = [];
let server: Server;
let base = '';
const dirs: string[] = [];

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code }),
  );
}

function scaleObject(namespace: string, name: string, replicas: number): unknown {
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace },
    spec: { replicas },
    status: { replicas, selector: `app=${name}` },
  };
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  let text = '';
  req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  req.on('end', () => {
    const url = req.url ?? '';
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    seen.push({ method: req.method ?? '', url, contentType: req.headers['content-type'], body });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      return status(res, 401, 'Unauthorized', 'Unauthorized');
    }
    const m = SCALE_PATH.exec(url);
    if (!m) return status(res, 404, 'NotFound', `the server could not find ${url}`);
    const [, namespace, resource, name] = m as unknown as [string, string, string, string];
    if (namespace === 'slow') return; // never answers
    if (namespace === 'locked') {
      return status(
        res,
        403,
        'Forbidden',
        `${resource}.apps "${name}" is forbidden: User "system:serviceaccount:ops:headroom" cannot patch resource "${resource}/scale" in API group "apps" in the namespace "locked"`,
      );
    }
    const key = `${namespace}/${resource}/${name}`;
    const replicas = workloads.get(key);
    if (replicas === undefined) {
      return status(res, 404, 'NotFound', `${resource}.apps "${name}" not found`);
    }
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(scaleObject(namespace, name, replicas)));
    }
    if (req.method === 'PATCH') {
      if (req.headers['content-type'] !== 'application/merge-patch+json') {
        problems.push(`PATCH with content-type ${req.headers['content-type']}`);
        return status(res, 415, 'UnsupportedMediaType', 'unsupported media type');
      }
      if (!new URLSearchParams(m[4]?.slice(1) ?? '').has('fieldManager')) {
        problems.push('PATCH without fieldManager');
      }
      const next = (body as { spec?: { replicas?: unknown } } | undefined)?.spec?.replicas;
      if (!Number.isInteger(next) || Object.keys(body as object).join() !== 'spec') {
        problems.push(`PATCH body ${text}`);
        return status(res, 422, 'Invalid', 'spec.replicas must be an integer');
      }
      workloads.set(key, next as number);
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(scaleObject(namespace, name, next as number)));
    }
    status(res, 405, 'MethodNotAllowed', `${req.method} is not allowed`);
  });
}

before(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});
beforeEach(() => {
  seen.length = 0;
  problems.length = 0;
  workloads.clear();
  workloads.set('ops/deployments/intent-worker', 3);
  workloads.set('ops/statefulsets/ledger', 2);
});

function actuator(more: Partial<KubernetesActuatorOptions> = {}): KubernetesActuator {
  return new KubernetesActuator({
    pool: 'intent-worker',
    namespace: 'ops',
    workload: 'deployment',
    name: 'intent-worker',
    connection: { kind: 'token', server: base, token: TOKEN, insecureSkipTlsVerify: true },
    ...more,
  });
}

function failsWith(pattern: RegExp, hint?: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof ActuatorError, String(err));
    assert.match(err.message, pattern);
    if (hint) assert.match(err.hint ?? '', hint);
    return true;
  };
}

describe('kubernetes actuator (a stand-in API server on 127.0.0.1)', () => {
  it('reads and merge-patches the scale subresource of a Deployment', async () => {
    const k = actuator();
    assert.equal(await k.current(), 3);
    await k.scale(7, 'hpa: 700 waiting / 100 → 7');
    assert.equal(await k.current(), 7);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      seen.map((s) => `${s.method} ${s.url}`),
      [
        'GET /apis/apps/v1/namespaces/ops/deployments/intent-worker/scale',
        'PATCH /apis/apps/v1/namespaces/ops/deployments/intent-worker/scale?fieldManager=headroom',
        'GET /apis/apps/v1/namespaces/ops/deployments/intent-worker/scale',
      ],
    );
    assert.equal(seen[1]!.contentType, 'application/merge-patch+json');
    assert.deepEqual(seen[1]!.body, { spec: { replicas: 7 } });
    assert.equal(k.status().lastScale?.replicas, 7);
    await k.close();
    await assert.rejects(k.scale(1, 'r'), /closed/);
  });

  it('scales a StatefulSet the same way', async () => {
    const k = actuator({ workload: 'statefulset', name: 'ledger', pool: 'ledger' });
    assert.equal(await k.current(), 2);
    await k.scale(0, 'idle');
    assert.equal(workloads.get('ops/statefulsets/ledger'), 0);
    assert.equal(
      seen[1]!.url,
      '/apis/apps/v1/namespaces/ops/statefulsets/ledger/scale?fieldManager=headroom',
    );
    assert.deepEqual(problems, []);
  });

  it('loads a kubeconfig file and its context', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headroom-kube-'));
    dirs.push(dir);
    const file = join(dir, 'config');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- { name: local, cluster: { server: "${base}", insecure-skip-tls-verify: true } }`,
        '- { name: other, cluster: { server: "http://127.0.0.1:9", insecure-skip-tls-verify: true } }',
        'users:',
        `- { name: bot, user: { token: "${TOKEN}" } }`,
        'contexts:',
        '- { name: test, context: { cluster: local, user: bot } }',
        '- { name: wrong, context: { cluster: other, user: bot } }',
        'current-context: wrong',
      ].join('\n'),
    );
    const k = actuator({ connection: { kind: 'kubeconfig', file, context: 'test' } });
    assert.equal(await k.current(), 3);
  });

  it('names a missing workload (404) and the field to check', async () => {
    const k = actuator({ name: 'nope' });
    await assert.rejects(
      k.current(),
      failsWith(
        /^kubernetes actuator of intent-worker: cannot read the scale of deployment ops\/nope: not found \(HTTP 404\): deployments\.apps "nope" not found$/,
        /autoscale\.intent-worker\.actuator\.deployment and autoscale\.intent-worker\.actuator\.namespace/,
      ),
    );
  });

  it('explains a 403 with the RBAC the service account needs', async () => {
    const k = actuator({ namespace: 'locked' });
    await assert.rejects(
      k.scale(2, 'r'),
      failsWith(
        /cannot scale deployment locked\/intent-worker: forbidden \(HTTP 403\): .*cannot patch resource "deployments\/scale"/,
        /"patch" on deployments\/scale in namespace locked/,
      ),
    );
    assert.match(k.status().lastError!.message, /forbidden/);
  });

  it('says so when the token is refused (401)', async () => {
    const k = actuator({
      connection: { kind: 'token', server: base, token: 'wrong', insecureSkipTlsVerify: true },
    });
    await assert.rejects(k.current(), failsWith(/unauthorized \(HTTP 401\)/));
  });

  it('gives up after its deadline, and names an unreachable server', async () => {
    const slow = actuator({ namespace: 'slow', timeoutMs: 200 });
    await assert.rejects(slow.current(), failsWith(/did not answer within 0.2s/));
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const server = `http://127.0.0.1:${port}`;
    const gone = actuator({
      connection: { kind: 'token', server, token: TOKEN, insecureSkipTlsVerify: true },
    });
    await assert.rejects(gone.current(), failsWith(/unreachable: ECONNREFUSED/));
    const plain = actuator({ connection: { kind: 'token', server: base, token: TOKEN } });
    await assert.rejects(
      plain.current(),
      failsWith(/HTTP protocol is not allowed/, /insecure_skip_tls_verify/),
    );
  });

  it('rejects replicas that are not a whole number without a request', async () => {
    const k = actuator();
    await assert.rejects(k.scale(1.5, 'r'), /whole number/);
    assert.equal(seen.length, 0);
  });
});
