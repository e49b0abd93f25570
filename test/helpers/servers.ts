/**
 * Private Redis, NATS and Alertmanager servers for tests that must kill and restart a server mid-run: each
 * listens on free loopback ports with its data in a temp dir, and `stop()` removes everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on `port`, or rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline)
      throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A server process the test can kill and start again on the same ports. */
export class PrivateServer {
  private child: ChildProcess | undefined;

  constructor(
    private readonly command: string,
    private readonly args: string[],
    /** Port clients connect to. */
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** Starts the process and waits until its port accepts connections. */
  async start(): Promise<void> {
    this.child = spawn(this.command, this.args, { stdio: 'ignore' });
    await waitForPort(this.port);
  }

  /** Kills the process (SIGKILL: a crash, not a shutdown) and waits for it to exit. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Kills the process and removes its data. */
  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A private redis-server that keeps nothing on disk. */
export async function startRedis(): Promise<PrivateServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'headroom-redis-'));
  const server = new PrivateServer(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    port,
    dir,
  );
  await server.start();
  return server;
}

/** A private nats-server with JetStream and a monitoring port (`monitorPort`). */
export async function startNats(): Promise<PrivateServer & { monitorPort: number }> {
  const port = await freePort();
  const monitorPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'headroom-nats-'));
  const server = new PrivateServer(
    'nats-server',
    ['-js', '-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort), '-sd', dir],
    port,
    dir,
  );
  await server.start();
  await waitForPort(monitorPort);
  return Object.assign(server, { monitorPort });
}

/**
 * A private Prometheus Alertmanager (Debian's `prometheus-alertmanager`) on a free loopback
 * port: no cluster, one receiver that sends nothing, its data in a temp dir. `port` is its
 * HTTP API (`/api/v2/alerts`).
 */
export async function startAlertmanager(): Promise<PrivateServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'headroom-alertmanager-'));
  const config = join(dir, 'alertmanager.yml');
  writeFileSync(config, 'route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n');
  const server = new PrivateServer(
    'prometheus-alertmanager',
    [
      `--config.file=${config}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    port,
    dir,
  );
  await server.start();
  return server;
}

/**
 * A private Prometheus (Debian's `/usr/bin/prometheus`) on a free loopback port, scraping
 * `targets` (job name → `host:port` list) every `scrapeMs`; its data in a temp dir.
 */
export async function startPrometheus(
  targets: Record<string, string[]>,
  scrapeMs = 1000,
): Promise<PrivateServer & { url: string }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'headroom-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  const jobs = Object.entries(targets).map(
    ([job, list]) =>
      `  - job_name: ${job}\n    static_configs: [{ targets: [${list.map((t) => `'${t}'`).join(', ')}] }]`,
  );
  const interval = `${scrapeMs}ms`;
  writeFileSync(
    config,
    `global: { scrape_interval: ${interval}, evaluation_interval: ${interval} }\nscrape_configs:\n${jobs.join('\n')}\n`,
  );
  const server = new PrivateServer(
    '/usr/bin/prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    port,
    dir,
  );
  await server.start();
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 20_000; ;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`Prometheus on ${url} not ready after 20 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Object.assign(server, { url });
}
