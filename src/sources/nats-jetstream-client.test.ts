// The client-connection reader's failure paths, against loopback ports only: a port nobody
// listens on, and a TCP server that accepts connections but never speaks NATS.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { HeadroomError } from '../errors.ts';
import { ClientReader, displayServer } from './nats-jetstream-client.ts';
import { readMetric } from './nats-jetstream-read.ts';

const STORAGE = { name: 'm', select: { field: 'storage' } };

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

let silent: Server;
const sockets = new Set<Socket>();
let silentPort = 0;

before(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as AddressInfo).port;
});

after(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

function reader(servers: string[], timeoutMs = 2000, clockMs?: () => number) {
  return new ClientReader(
    {
      servers,
      displayServers: servers.map(displayServer).join(','),
      user: 'app',
      pass: 'hunter2',
      timeoutMs,
    },
    { clockMs },
  );
}

describe('nats-jetstream client helpers', () => {
  const displays: [string, string][] = [
    ['nats://127.0.0.1:4222', '127.0.0.1:4222'],
    ['127.0.0.1', '127.0.0.1:4222'],
    ['nats://bob:hunter2@nats.internal:4333', 'nats.internal:4333'],
    ['tls://nats.example.com', 'nats.example.com:4222'],
  ];
  for (const [server, shown] of displays) {
    test(`shows ${server} as ${shown}, never with credentials`, () =>
      assert.equal(displayServer(server), shown));
  }
});

describe('nats-jetstream client reader failures', () => {
  test('a dead port is SOURCE_UNAVAILABLE naming host:port without credentials, within 1 s', async () => {
    const port = await freePort();
    const r = reader([`nats://bob:s3cret@127.0.0.1:${port}`]);
    const startedMs = performance.now();
    await assert.rejects(
      readMetric(r.view(AbortSignal.timeout(5000)), STORAGE, 0),
      (e: unknown) => {
        assert.ok(e instanceof HeadroomError);
        assert.equal(e.code, 'SOURCE_UNAVAILABLE');
        assert.match(
          e.message,
          new RegExp(
            `NATS at 127\\.0\\.0\\.1:${port} is unreachable \\(ECONNREFUSED\\); next attempt in 1 s`,
          ),
        );
        assert.doesNotMatch(e.message, /s3cret|hunter2|bob/);
        return true;
      },
    );
    assert.ok(performance.now() - startedMs < 1000);
    await r.close();
  });

  test('while backing off, a collect fails fast without dialling; after the wait it dials again', async () => {
    const port = await freePort();
    let clockMs = 0;
    const r = reader([`127.0.0.1:${port}`], 2000, () => clockMs);
    const read = () => readMetric(r.view(AbortSignal.timeout(5000)), STORAGE, 0);
    await assert.rejects(read(), /next attempt in 1 s/);
    clockMs = 400;
    await assert.rejects(read(), /ECONNREFUSED\); next attempt in 600 ms/);
    clockMs = 1000;
    // The second real attempt fails too and doubles the wait.
    await assert.rejects(read(), /next attempt in 2 s/);
    await r.close();
  });

  test('a server that never answers: an abort rejects within 100 ms', async () => {
    const r = reader([`127.0.0.1:${silentPort}`], 1000);
    const startedMs = performance.now();
    await assert.rejects(
      readMetric(r.view(AbortSignal.timeout(50)), STORAGE, 0),
      /collect from NATS at 127\.0\.0\.1:\d+ timed out/,
    );
    assert.ok(performance.now() - startedMs < 150);
    await r.close();
  });

  test('a server that never answers: the connect `timeout` gives SOURCE_UNAVAILABLE', async () => {
    const r = reader([`127.0.0.1:${silentPort}`], 200);
    await assert.rejects(
      readMetric(r.view(AbortSignal.timeout(5000)), STORAGE, 0),
      (e: unknown) => {
        assert.ok(e instanceof HeadroomError);
        assert.equal(e.code, 'SOURCE_UNAVAILABLE');
        assert.match(e.message, /is unreachable/);
        return true;
      },
    );
    await r.close();
  });

  test('after close(), collects reject and nothing reconnects', async () => {
    const r = reader([`127.0.0.1:${silentPort}`], 5000);
    await r.close();
    await r.close();
    await assert.rejects(readMetric(r.view(AbortSignal.timeout(5000)), STORAGE, 0), /was aborted/);
  });
});
