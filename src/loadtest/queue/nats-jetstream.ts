/**
 * The JetStream producer: each iteration publishes one message (the job's payload as JSON) to a
 * subject of the plan's stream and succeeds when JetStream acknowledges it (the PubAck: stored).
 *
 * The subject comes from the stream's own config, read when the producer opens: the job's name
 * when it is a literal subject the stream captures (`sms.send` into `sms.>`); else the stream's
 * first literal subject; else its first subject with every wildcard (`*`, `>`) filled by the job
 * name (or `loadtest` when the name is not one subject token). The source must have `servers`:
 * the monitoring port cannot publish.
 */
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { HeadroomError } from '../../errors.ts';
import { displayServer } from '../../sources/nats-jetstream-client.ts';
import type { IterationOutcome, QueueTargetSpec, Target } from '../types.ts';
import { addOutcome, ADD_TIMEOUT_MS, errorClass } from './outcome.ts';
import { DEFAULT_JOB_NAME } from './resolve.ts';

/** How long connecting and reading the stream's config may take, in ms. */
const OPEN_TIMEOUT_MS = 5000;

/** True when the literal subject `subject` matches the NATS subject filter `filter`. */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length || (f[i] !== '*' && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}

/** The subject to publish a job to, from the stream's configured subjects; undefined when it has none. */
export function publishSubject(
  streamSubjects: readonly string[],
  jobName: string,
): string | undefined {
  const literal = (s: string): boolean => !s.split('.').some((t) => t === '*' || t === '>');
  if (literal(jobName) && streamSubjects.some((f) => subjectMatches(f, jobName))) return jobName;
  const plain = streamSubjects.find(literal);
  if (plain !== undefined) return plain;
  const first = streamSubjects[0];
  if (first === undefined) return undefined;
  const token = /^[^.\s*>]+$/.test(jobName) ? jobName : DEFAULT_JOB_NAME;
  return first
    .split('.')
    .map((t) => (t === '*' || t === '>' ? token : t))
    .join('.');
}

/** Publishes job messages into one JetStream stream. */
export class JetStreamProducer implements Target {
  /** `jetstream stream <stream> subject <subject> at host:port`. */
  readonly description: string;
  private readonly payload: Uint8Array;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly spec: QueueTargetSpec,
    /** The subject published to. */
    readonly subject: string,
    servers: string,
  ) {
    this.description = `jetstream stream ${spec.name} subject ${subject} at ${servers}`;
    this.payload = new TextEncoder().encode(JSON.stringify(spec.job.data ?? {}));
  }

  /** Connects, reads the stream's subjects and picks one; SOURCE_* errors when it cannot. */
  static async open(
    spec: QueueTargetSpec,
    options: Record<string, unknown>,
  ): Promise<JetStreamProducer> {
    const servers = serversOf(spec, options);
    const shown = servers.map(displayServer).join(',');
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers,
        user: options.user as string | undefined,
        pass: options.pass as string | undefined,
        token: options.token as string | undefined,
        timeout: OPEN_TIMEOUT_MS,
        reconnect: false,
        name: 'headroom loadtest',
      });
    } catch (error) {
      throw new HeadroomError(
        'SOURCE_UNAVAILABLE',
        `cannot publish: NATS at ${shown} ${errorClass(error)}`,
        {
          hint: `check that NATS is running and the servers of source "${spec.source}"`,
          cause: error,
        },
      );
    }
    try {
      const subject = await streamSubject(nc, spec);
      return new JetStreamProducer(nc, jetstream(nc), spec, subject, shown);
    } catch (error) {
      await nc.close().catch(() => undefined);
      throw error;
    }
  }

  /** Publishes one message; ok once JetStream acknowledged it. */
  iterate(signal: AbortSignal): Promise<IterationOutcome> {
    return addOutcome(this.spec.job.name, signal, () =>
      this.js.publish(this.subject, this.payload, { timeout: ADD_TIMEOUT_MS }),
    );
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    await this.nc.close().catch(() => undefined);
  }
}

function serversOf(spec: QueueTargetSpec, options: Record<string, unknown>): string[] {
  const servers = options.servers;
  if (typeof servers === 'string') return [servers];
  if (Array.isArray(servers) && servers.length > 0) return servers.map(String);
  throw new HeadroomError(
    'LOADTEST_CONFIG',
    `source "${spec.source}" reads only the monitoring port, which cannot publish messages`,
    { hint: `add \`servers: nats://127.0.0.1:4222\` to source "${spec.source}"` },
  );
}

async function streamSubject(nc: NatsConnection, spec: QueueTargetSpec): Promise<string> {
  const jsm = await jetstreamManager(nc, { timeout: OPEN_TIMEOUT_MS });
  let subjects: string[];
  try {
    subjects = (await jsm.streams.info(spec.name)).config.subjects ?? [];
  } catch (error) {
    const missing = /not found/i.test(String((error as Error).message));
    throw new HeadroomError(
      missing ? 'SOURCE_NOT_FOUND' : 'SOURCE_UNAVAILABLE',
      `cannot publish to stream "${spec.name}": ${(error as Error).message}`,
      {
        hint: 'check the stream name in the plan; the workers create it, or `nats stream add`',
        cause: error,
      },
    );
  }
  const subject = publishSubject(subjects, spec.job.name);
  if (subject === undefined) {
    throw new HeadroomError(
      'LOADTEST_CONFIG',
      `stream "${spec.name}" captures no subject to publish to`,
      {
        hint: 'give the stream a subject (`nats stream edit --subjects …`)',
      },
    );
  }
  return subject;
}
