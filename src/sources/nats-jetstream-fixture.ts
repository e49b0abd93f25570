/**
 * Test support: a private `nats-server -js -m` on free loopback ports with its own store
 * directory (so tests can read /jsz and /varz, and kill and restart it), and a fill that leaves
 * a stream with a known lagging consumer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstream, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/** How long a server may take to become healthy, in ms. */
const READY_BUDGET_MS = 15_000;

/** A port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A nats-server process this test owns: same ports and store across restarts. */
export class PrivateNatsServer {
  /** Client URL, `nats://127.0.0.1:<port>`. */
  servers = '';
  /** Monitoring URL, `http://127.0.0.1:<port>`. */
  monitor = '';
  private child: ChildProcess | undefined;
  private dir = '';
  private args: string[] = [];
  private log = '';

  /** Picks free ports and a temporary store directory, then starts the server. */
  async start(): Promise<void> {
    const [clientPort, monitorPort] = [await freePort(), await freePort()];
    this.dir = await mkdtemp(join(tmpdir(), 'headroom-nats-'));
    this.servers = `nats://127.0.0.1:${clientPort}`;
    this.monitor = `http://127.0.0.1:${monitorPort}`;
    this.args = ['-js', '-a', '127.0.0.1', '-p', `${clientPort}`, '-m', `${monitorPort}`];
    this.args.push('-sd', join(this.dir, 'store'));
    await this.restart();
  }

  /** Starts the process again (after `kill`), on the same ports and store. */
  async restart(): Promise<void> {
    const child = spawn('nats-server', this.args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr!.on('data', (c: Buffer) => (this.log = (this.log + c).slice(-4000)));
    const deadline = Date.now() + READY_BUDGET_MS;
    while (!(await this.healthy())) {
      if (child.exitCode !== null) throw new Error(`nats-server exited:\n${this.log}`);
      if (Date.now() > deadline) throw new Error(`nats-server is not healthy:\n${this.log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Kills the process (SIGKILL) and waits until it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /**
   * Freezes (SIGSTOP) or thaws (SIGCONT) the process: a server that accepts but never answers.
   * Resolves once the kernel shows the process stopped (or running again): a signal is
   * delivered asynchronously, and a server still running for a few ms answers the next request.
   */
  async freeze(frozen: boolean): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    this.child!.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline) {
      // The state is the field after the command name, which is in parentheses.
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === '' || (state === 'T') === frozen) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Kills the process and removes its store directory. */
  async remove(): Promise<void> {
    await this.kill();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = '';
  }

  /** Last resort for `process.on('exit')`: never leave the server behind. */
  killNow(): void {
    this.child?.kill('SIGCONT');
    this.child?.kill('SIGKILL');
  }

  private async healthy(): Promise<boolean> {
    try {
      const response = await fetch(`${this.monitor}/healthz`);
      return response.ok && ((await response.json()) as { status?: string }).status === 'ok';
    } catch {
      return false;
    }
  }
}

/** What `fillLaggingStream` creates, and the counts the server must then report. */
export interface LaggingStream {
  /** Stream name. */
  stream: string;
  /** Subject the stream stores. */
  subject: string;
  /** Messages published. */
  published: number;
  /** Messages consumer `worker` fetched. */
  fetched: number;
  /** Of those, how many it acknowledged (the first ones, in order). */
  acked: number;
  /** Stream limits: bytes, messages, age in seconds. */
  limits: { maxBytes: number; maxMsgs: number; maxAgeSeconds: number };
}

/**
 * Creates `spec.stream` with limits, publishes `published` messages, and two durable pull
 * consumers: `worker` (fetched `fetched`, acked the first `acked`) and `idle` (untouched).
 * Returns the bytes the stream holds.
 */
export async function fillLaggingStream(
  nc: NatsConnection,
  jsm: JetStreamManager,
  spec: LaggingStream,
): Promise<number> {
  await jsm.streams.add({
    name: spec.stream,
    subjects: [spec.subject],
    max_bytes: spec.limits.maxBytes,
    max_msgs: spec.limits.maxMsgs,
    max_age: spec.limits.maxAgeSeconds * 1e9,
  });
  const js = jetstream(nc);
  for (let i = 0; i < spec.published; i++) await js.publish(spec.subject, `message ${i}`);
  // A long ack_wait: nothing is redelivered while the tests run.
  const consumer = { ack_policy: AckPolicy.Explicit, ack_wait: 600e9 };
  await jsm.consumers.add(spec.stream, { ...consumer, durable_name: 'worker' });
  await jsm.consumers.add(spec.stream, { ...consumer, durable_name: 'idle' });
  const worker = await js.consumers.get(spec.stream, 'worker');
  const messages = await worker.fetch({ max_messages: spec.fetched, expires: 5000 });
  let seen = 0;
  for await (const m of messages) {
    if (seen < spec.acked) await m.ackAck();
    if (++seen === spec.fetched) break;
  }
  return (await jsm.streams.info(spec.stream)).state.bytes;
}
