/**
 * The `nats-jetstream` source: JetStream storage, streams and consumers of a NATS server.
 *
 * Options: `monitor` (the monitoring port, `http://127.0.0.1:8222`: reads `/jsz` and `/varz`)
 * and/or `servers` (`nats://127.0.0.1:4222`, a string or a list: reads the JetStream API over a
 * client connection) with `user`+`pass` or `token`, and `timeout` (default 10s). With `monitor`
 * the monitoring port is read, otherwise the client API; both give the same samples for the
 * same server state, except the fields only the monitoring port publishes (limits,
 * utilizations, connections, slow consumers), which a plan without `monitor` is refused at load.
 *
 * Selector: `field`, optional `stream`, optional `consumer` (see `nats-jetstream-fields.ts`).
 * Samples are labelled `{}` (server), `{ stream }` or `{ stream, consumer }`. A stream or
 * consumer that does not exist is SOURCE_NOT_FOUND naming the ones that do, never a 0.
 * Partial failures and health follow `health.ts`.
 */
import { z } from 'zod';
import { HeadroomError } from '../errors.ts';
import {
  collectEach,
  HealthTracker,
  samplesOrThrow,
  throwIfAborted,
  type CollectResult,
  type ObservedSource,
} from './health.ts';
import { ClientReader, displayServer } from './nats-jetstream-client.ts';
import { validateNatsSelect } from './nats-jetstream-fields.ts';
import { MonitorReader, monitorEndpoint } from './nats-jetstream-monitor.ts';
import { readMetric } from './nats-jetstream-read.ts';
import { DEFAULT_TIMEOUT_MS, issuesOf, parseTimeoutMs, TimeoutOption } from './options.ts';
import type {
  Sample,
  SourceConfigIssue,
  SourceContext,
  SourceHealth,
  SourceKind,
} from './source.ts';

const OPTION_NAMES = 'monitor, servers, user, pass, token, timeout';

function isServerUrl(text: string): boolean {
  const withScheme = /^[a-z]+:\/\//i.test(text) ? text : `nats://${text}`;
  if (!URL.canParse(withScheme)) return false;
  const url = new URL(withScheme);
  return /^(nats|tls):$/.test(url.protocol) && url.hostname !== '';
}

const ServerUrl = z.string().refine(isServerUrl, {
  error: 'must be a NATS server address such as nats://127.0.0.1:4222 or 127.0.0.1:4222',
});

const Options = z.strictObject({
  monitor: z
    .string({ error: 'write the monitoring URL, e.g. `monitor: http://127.0.0.1:8222`' })
    .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), {
      error:
        'must be an http:// or https:// URL of the monitoring port, e.g. http://127.0.0.1:8222',
    })
    .optional(),
  servers: z
    .union([ServerUrl, z.array(ServerUrl).min(1, 'list at least one server')], {
      error: 'write a server address or a list of them, e.g. nats://127.0.0.1:4222',
    })
    .optional(),
  user: z.string({ error: 'user must be a string' }).optional(),
  pass: z.string({ error: 'pass must be a string (from ${ENV})' }).optional(),
  token: z.string({ error: 'token must be a string (from ${ENV})' }).optional(),
  timeout: TimeoutOption.optional(),
});

type NatsOptions = z.infer<typeof Options>;

function optionIssues(options: Record<string, unknown>): SourceConfigIssue[] {
  const parsed = Options.safeParse(options);
  if (!parsed.success) {
    return issuesOf(parsed.error, `a nats-jetstream source takes ${OPTION_NAMES}`);
  }
  return authIssues(parsed.data);
}

function authIssues(o: NatsOptions): SourceConfigIssue[] {
  const issues: SourceConfigIssue[] = [];
  if (o.monitor === undefined && o.servers === undefined) {
    issues.push({
      path: '',
      message:
        'set `monitor` (the monitoring port, e.g. http://127.0.0.1:8222) or `servers` (e.g. nats://127.0.0.1:4222)',
    });
  }
  if ((o.user === undefined) !== (o.pass === undefined)) {
    const [given, missing] = o.user === undefined ? ['pass', 'user'] : ['user', 'pass'];
    issues.push({ path: missing, message: `${given} needs ${missing} too` });
  }
  if (o.token !== undefined && o.user !== undefined) {
    issues.push({ path: 'token', message: 'use either token or user/pass, not both' });
  }
  for (const key of ['user', 'pass', 'token'] as const) {
    if (o[key] !== undefined && o.servers === undefined) {
      issues.push({
        path: key,
        message: `${key} applies to \`servers\` (client connections); the monitoring port takes no credentials`,
      });
    }
  }
  return issues;
}

/**
 * Checks the source's options, or (with `select`) one metric selector against those options.
 * Option problems are reported once, by the call without `select`.
 */
export function validateNatsJetStream(
  options: Record<string, unknown>,
  select?: Record<string, unknown>,
): SourceConfigIssue[] {
  if (select === undefined) return optionIssues(options);
  return validateNatsSelect(select, typeof options.monitor === 'string');
}

function configError(message: string, path: string): HeadroomError {
  return new HeadroomError('SOURCE_CONFIG', message, {
    path,
    hint: 'see the "nats-jetstream" source in docs/sources.md',
  });
}

/** Builds the reader the options ask for; throws SOURCE_CONFIG naming the first bad option. */
function readerFor(context: SourceContext): MonitorReader | ClientReader {
  const issue = optionIssues(context.options)[0];
  if (issue) {
    const at = issue.path ? `${issue.path}: ` : '';
    throw configError(
      `source "${context.name}": ${at}${issue.message}`,
      `sources.${context.name}${issue.path ? `.${issue.path}` : ''}`,
    );
  }
  const o = Options.parse(context.options);
  const timeoutMs = o.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseTimeoutMs(o.timeout)!;
  const backoff = { maxMs: context.intervalMs };
  if (o.monitor !== undefined) {
    return new MonitorReader(monitorEndpoint(o.monitor, timeoutMs), backoff);
  }
  const servers = typeof o.servers === 'string' ? [o.servers] : o.servers!;
  const displayServers = servers.map(displayServer).join(',');
  const { user, pass, token } = o;
  return new ClientReader({ servers, displayServers, user, pass, token, timeoutMs }, backoff);
}

/** The nats-jetstream source: one per plan source of kind `nats-jetstream`. */
export class NatsJetStreamSource implements ObservedSource {
  /** Kind name as written in plans. */
  readonly kind = 'nats-jetstream';
  private readonly reader: MonitorReader | ClientReader;
  private readonly tracker: HealthTracker;

  constructor(private readonly context: SourceContext) {
    const hasMonitor = typeof context.options.monitor === 'string';
    for (const m of context.metrics) {
      const issue = validateNatsSelect(m.select, hasMonitor)[0];
      if (issue) {
        throw configError(
          `metric "${m.name}": ${issue.path}: ${issue.message}`,
          `metrics.${m.name}.${issue.path}`,
        );
      }
    }
    this.reader = readerFor(context);
    this.tracker = new HealthTracker(context.now);
  }

  /** Reads every metric now; good samples survive a failed metric. */
  async collect(signal: AbortSignal): Promise<Sample[]> {
    return samplesOrThrow(await this.collectDetailed(signal));
  }

  /** Reads every metric now; returns good samples and per-metric failures. */
  collectDetailed(signal: AbortSignal): Promise<CollectResult> {
    return this.tracker.track(async () => {
      const what = this.reader.what;
      throwIfAborted(signal, what);
      const at = this.context.now();
      const view = this.reader.view(signal);
      const result = await collectEach(this.context.metrics, (m) => readMetric(view, m, at));
      throwIfAborted(signal, what);
      return result;
    });
  }

  /** Health after the last collect. */
  health(): SourceHealth {
    return this.tracker.snapshot();
  }

  /** Closes the connection and aborts requests in flight. Safe to call twice. */
  async close(): Promise<void> {
    await this.reader.close();
  }
}

/** The `nats-jetstream` source kind: options `{ monitor?, servers?, user?, pass?, token?, timeout? }`; selector `{ field, stream?, consumer? }`. */
export const natsJetStreamKind: SourceKind = {
  create: (context) => new NatsJetStreamSource(context),
  validate: validateNatsJetStream,
};
