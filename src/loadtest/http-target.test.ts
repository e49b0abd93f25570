import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { describeRequests, HttpTarget } from './http-target.ts';
import type { RequestSpec } from './types.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const seen: Seen[] = [];
let inFlight = 0;
let maxInFlight = 0;
let server: Server;
let base: string;

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    seen.push({
      method: req.method!,
      url: req.url!,
      headers: req.headers,
      body: Buffer.concat(chunks).toString(),
    });
    const url = new URL(req.url!, 'http://x');
    const delayMs = Number(url.searchParams.get('delay') ?? 0);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight--;
      const status = Number(url.searchParams.get('status') ?? 200);
      const size = Number(url.searchParams.get('size') ?? 2);
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end('x'.repeat(size));
    }, delayMs);
  });
}

function spec(over: Partial<RequestSpec> = {}): RequestSpec {
  return {
    name: 'req',
    url: `${base}/`,
    method: 'GET',
    headers: {},
    weight: 1,
    expectStatus: (s) => s >= 200 && s < 400,
    timeoutMs: 5000,
    ...over,
  };
}

before(async () => {
  server = createServer(handle);
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('HttpTarget', () => {
  it('sends the method, path, query and headers, and reads a 1 MB body to its end', async () => {
    const target = new HttpTarget(
      [spec({ url: `${base}/tickets?size=1048576`, headers: { 'x-run': 'abc' } })],
      {
        connections: 1,
      },
    );
    try {
      const outcome = await target.iterate(new AbortController().signal);
      assert.deepEqual({ ...outcome }, { ok: true, name: 'req', status: 200 });
      const last = seen.at(-1)!;
      assert.equal(last.method, 'GET');
      assert.equal(last.url, '/tickets?size=1048576');
      assert.equal(last.headers['x-run'], 'abc');
      // The connection is reusable: the body was consumed.
      assert.equal((await target.iterate(new AbortController().signal)).status, 200);
    } finally {
      await target.close();
    }
  });

  it('posts a body as written', async () => {
    const target = new HttpTarget(
      [spec({ method: 'post', body: '{"a":1}', headers: { 'content-type': 'application/json' } })],
      { connections: 1 },
    );
    try {
      await target.iterate(new AbortController().signal);
      const last = seen.at(-1)!;
      assert.equal(last.method, 'POST');
      assert.equal(last.body, '{"a":1}');
      assert.equal(last.headers['content-type'], 'application/json');
    } finally {
      await target.close();
    }
  });

  it('judges the status: 500 and 404 fail by default, 404 holds when expected', async () => {
    const target = new HttpTarget(
      [
        spec({ url: `${base}/?status=500` }),
        spec({ name: 'b', url: `${base}/?status=404`, weight: 0 }),
      ],
      {
        connections: 1,
      },
    );
    const expect404 = new HttpTarget(
      [spec({ url: `${base}/?status=404`, expectStatus: (s) => s === 404 })],
      {
        connections: 1,
      },
    );
    try {
      assert.deepEqual(
        { ...(await target.iterate(new AbortController().signal)) },
        { ok: false, name: 'req', status: 500 },
      );
      assert.equal((await expect404.iterate(new AbortController().signal)).ok, true);
    } finally {
      await target.close();
      await expect404.close();
    }
  });

  it('fails a request past its timeout with `timeout`, promptly', async () => {
    const target = new HttpTarget([spec({ url: `${base}/?delay=3000`, timeoutMs: 150 })], {
      connections: 1,
    });
    try {
      const t0 = performance.now();
      const outcome = await target.iterate(new AbortController().signal);
      const tookMs = performance.now() - t0;
      assert.equal(outcome.error, 'timeout');
      assert.equal(outcome.ok, false);
      assert.ok(tookMs >= 140 && tookMs < 1000, `took ${tookMs} ms`);
    } finally {
      await target.close();
    }
  });

  it('reports a refused connection as ECONNREFUSED, without throwing', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const target = new HttpTarget([spec({ url: `http://127.0.0.1:${port}/` })], { connections: 1 });
    try {
      const outcome = await target.iterate(new AbortController().signal);
      assert.equal(outcome.ok, false);
      assert.equal(outcome.error, 'ECONNREFUSED');
    } finally {
      await target.close();
    }
  });

  it('aborts the requests of an iteration signal, and only those', async () => {
    const target = new HttpTarget([spec({ url: `${base}/?delay=400` })], { connections: 2 });
    try {
      const stop = new AbortController();
      const cut = target.iterate(stop.signal);
      const kept = target.iterate(new AbortController().signal);
      setTimeout(() => stop.abort(), 50);
      assert.equal((await cut).error, 'aborted');
      assert.equal((await kept).status, 200);
    } finally {
      await target.close();
    }
  });

  it('chooses requests by weight (3:1 within a sane tolerance)', async () => {
    const target = new HttpTarget(
      [spec({ name: 'a', weight: 3 }), spec({ name: 'b', weight: 1 })],
      { connections: 4 },
    );
    try {
      const names = await Promise.all(
        Array.from({ length: 800 }, () => target.iterate(new AbortController().signal)),
      );
      const a = names.filter((o) => o.name === 'a').length;
      assert.ok(a > 800 * 0.68 && a < 800 * 0.82, `a chosen ${a} of 800`);
    } finally {
      await target.close();
    }
  });

  it('opens as many connections as it is allowed, in parallel', async () => {
    while (inFlight > 0) await new Promise((r) => setTimeout(r, 20)); // an earlier test's cut request
    maxInFlight = 0;
    const target = new HttpTarget([spec({ url: `${base}/?delay=200` })], { connections: 8 });
    try {
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: 8 }, () => target.iterate(new AbortController().signal)),
      );
      assert.equal(maxInFlight, 8);
      assert.ok(performance.now() - t0 < 1000);
    } finally {
      await target.close();
    }
  });

  it('shares one outcome object between successful iterations (no allocation per request)', async () => {
    const target = new HttpTarget([spec()], { connections: 1 });
    try {
      const a = await target.iterate(new AbortController().signal);
      const b = await target.iterate(new AbortController().signal);
      assert.equal(a, b);
      assert.ok(Object.isFrozen(a));
    } finally {
      await target.close();
    }
  });

  it('describes one request, or several with their weights', () => {
    assert.equal(describeRequests([spec({ url: 'http://127.0.0.1/a' })]), 'GET http://127.0.0.1/a');
    assert.equal(
      describeRequests([
        spec({ url: 'http://127.0.0.1/a', weight: 3 }),
        spec({ url: 'http://127.0.0.1/b', method: 'post' }),
      ]),
      '2 requests: GET http://127.0.0.1/a ×3, POST http://127.0.0.1/b ×1',
    );
  });
});
