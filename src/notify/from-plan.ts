/**
 * `createNotifiers`: builds one channel per entry of the plan's `notify:` list, after checking
 * its fields (the plan schema only knows `kind`, `name` and `severities`):
 *
 *   log            (no fields)
 *   webhook        url, token, timeout
 *   slack          url, channel, timeout
 *   pagerduty      routing_key, url, source, timeout
 *   alertmanager   url, token, timeout
 *   email          smtp, to, from, timeout
 *
 * Every entry also takes `name` and `severities`. Nothing here throws: an entry that cannot be
 * built becomes a problem the caller reports, located at the field (`notify[2].url`), and the
 * other channels still work. An entry whose URL, routing key or token is empty — the plan wrote
 * `${SLACK_WEBHOOK_URL:-}` and the variable is not set — is disabled, and the problem names the
 * variable to set. docs/notify.md documents every kind.
 */
import { closest } from 'fastest-levenshtein';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { HeadroomError, type ErrorCode, type ErrorLocation } from '../errors.ts';
import { referencedEnv } from '../plan/env.ts';
import { formatPath, type FieldPath } from '../plan/source-map.ts';
import type { Plan } from '../plan/types.ts';
import { parseDurationMs } from '../plan/units.ts';
import { AlertmanagerNotifier } from './alertmanager.ts';
import { EmailNotifier } from './email.ts';
import { LogNotifier, type LineSink } from './log.ts';
import { accepts, type Notifier, type Severity } from './notifier.ts';
import { PagerDutyNotifier } from './pagerduty.ts';
import { SlackNotifier } from './slack.ts';
import { WebhookNotifier } from './webhook.ts';

export { accepts };

/** What building the channels may need besides the plan. */
export interface NotifyDeps {
  /** Where the log channel writes (default process.stderr). */
  stream?: LineSink;
  /** Locates a plan field (default `plan.map.locate`), so problems carry file, line, column. */
  locate?: (path: FieldPath) => ErrorLocation;
}

/** Why an entry gave no channel. */
export type NotifyProblemKind = 'disabled' | 'invalid';

/** An entry that gave no channel, and why. */
export interface NotifyProblem {
  /** The entry's channel name (its `name`, else its kind). */
  channel: string;
  /** `notify[i].field: what is wrong`. */
  message: string;
  /** disabled (a secret is empty) or invalid (a field is wrong). */
  kind: NotifyProblemKind;
  /** The same as a located, catalogued error, for `formatError` and `--json`. */
  error: HeadroomError;
}

/** What `createNotifiers` returns. */
export interface NotifySetup {
  /** The working channels, in plan order. */
  notifiers: Notifier[];
  /** The entries that gave none. */
  problems: NotifyProblem[];
}

/** The channel kinds of plans. */
export const NOTIFY_KINDS = [
  'webhook',
  'slack',
  'pagerduty',
  'email',
  'alertmanager',
  'log',
] as const;

const Duration = z
  .union([z.string(), z.number()], { error: 'must be a duration such as 10s or 1m' })
  .refine((d) => (parseDurationMs(d) ?? 0) > 0, {
    error: 'must be a positive duration such as 10s or 1m (a bare number is seconds)',
  });

const HttpUrl = (example: string) =>
  z
    .string({ error: `write the URL, e.g. url: ${example}` })
    .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), {
      error: `must be an http:// or https:// URL, e.g. ${example}`,
    });

const Address = z.string().regex(/^[^\s@]+@[^\s@]+$/, {
  error: 'must be an email address such as ops@example.com',
});

const common = {
  name: z.string().min(1).optional(),
  severities: z.array(z.enum(['warning', 'critical'])).optional(),
};

const SCHEMAS = {
  log: z.strictObject({ kind: z.literal('log'), ...common }),
  webhook: z.strictObject({
    kind: z.literal('webhook'),
    ...common,
    url: HttpUrl('https://hooks.example.com/headroom'),
    token: z.string().optional(),
    timeout: Duration.optional(),
  }),
  slack: z.strictObject({
    kind: z.literal('slack'),
    ...common,
    url: HttpUrl('"${SLACK_WEBHOOK_URL}"'),
    channel: z.string().min(1).optional(),
    timeout: Duration.optional(),
  }),
  pagerduty: z.strictObject({
    kind: z.literal('pagerduty'),
    ...common,
    routing_key: z.string({
      error: 'write the integration key, e.g. routing_key: "${PAGERDUTY_ROUTING_KEY}"',
    }),
    url: HttpUrl('https://events.pagerduty.com/v2/enqueue').optional(),
    source: z.string().min(1).optional(),
    timeout: Duration.optional(),
  }),
  email: z.strictObject({
    kind: z.literal('email'),
    ...common,
    smtp: z
      .string({ error: 'write the SMTP relay, e.g. smtp: "${SMTP_URL}"' })
      .refine((u) => URL.canParse(u) && /^smtps?:$/.test(new URL(u).protocol), {
        error: 'must be an smtp:// or smtps:// URL, e.g. smtp://user:password@mail.example.com:587',
      }),
    to: z.union([Address, z.array(Address).min(1)], {
      error: 'write one address or a list, e.g. to: ops@example.com',
    }),
    from: z.string().min(1).optional(),
    timeout: Duration.optional(),
  }),
  alertmanager: z.strictObject({
    kind: z.literal('alertmanager'),
    ...common,
    url: HttpUrl('http://127.0.0.1:9093'),
    token: z.string().optional(),
    timeout: Duration.optional(),
  }),
} as const;

/** Fields that hold secrets or endpoints from the environment: empty means "not configured". */
const SECRET_FIELDS = ['url', 'routing_key', 'token', 'smtp'] as const;

/** Builds the plan's notification channels; never throws. */
export function createNotifiers(
  plan: Pick<Plan, 'raw'> & Partial<Pick<Plan, 'map' | 'text'>>,
  deps: NotifyDeps = {},
): NotifySetup {
  const notifiers: Notifier[] = [];
  const problems: NotifyProblem[] = [];
  const entries = (plan.raw.notify ?? []) as Record<string, unknown>[];
  const locate = deps.locate ?? ((path: FieldPath) => plan.map?.locate(path) ?? {});
  let doc: ReturnType<typeof parseDocument> | undefined;
  const written = (path: FieldPath): string | undefined => {
    if (plan.text === undefined) return undefined;
    doc ??= parseDocument(plan.text);
    const value = doc.getIn(path);
    return typeof value === 'string' ? value : undefined;
  };
  const names = channelNames(entries);

  entries.forEach((config, i) => {
    const channel = names[i]!;
    const problem = (
      kind: NotifyProblemKind,
      field: FieldPath,
      message: string,
      hint: string,
      code: ErrorCode = 'PLAN_SCHEMA',
    ): void => {
      const path = ['notify', i, ...field];
      const text = `${formatPath(path)}: ${message}`;
      problems.push({
        channel,
        kind,
        message: text,
        error: new HeadroomError(code, message, { ...locate(path), path: formatPath(path), hint }),
      });
    };
    const kind = config.kind as (typeof NOTIFY_KINDS)[number];
    if (!(kind in SCHEMAS)) {
      const guess = typeof kind === 'string' ? closest(kind, [...NOTIFY_KINDS]) : undefined;
      problem(
        'invalid',
        ['kind'],
        `unknown notification kind "${String(kind)}"`,
        `${guess ? `did you mean "${guess}"? ` : ''}kinds: ${NOTIFY_KINDS.join(', ')}`,
      );
      return;
    }
    const schema = SCHEMAS[kind as keyof typeof SCHEMAS];
    const docs = `see the "${kind}" channel in docs/notify.md`;
    // An empty secret (`${VAR:-}` with VAR unset) disables the channel: say which variable.
    for (const field of SECRET_FIELDS) {
      if (config[field] !== '' || !(field in schema.shape)) continue;
      const vars = referencedEnv(written(['notify', i, field]) ?? '');
      problem(
        'disabled',
        [field],
        vars.length
          ? `is empty because ${vars.join(' or ')} is not set: channel "${channel}" is disabled`
          : `is empty: channel "${channel}" is disabled`,
        vars.length
          ? `export ${vars[0]}=… before running headroom to enable it`
          : `write the ${field}, or take it from the environment with \${VAR}`,
        'PLAN_ENV',
      );
      return;
    }
    const parsed = schema.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      if (issue.code === 'unrecognized_keys') {
        const key = issue.keys[0]!;
        const fields = Object.keys(schema.shape).filter((f) => f !== 'kind');
        problem(
          'invalid',
          [key],
          `unknown field "${key}"`,
          `did you mean "${closest(key, fields)}"? A ${kind} channel takes ${fields.join(', ')}`,
          'PLAN_UNKNOWN_FIELD',
        );
      } else {
        problem('invalid', issue.path as FieldPath, issue.message, docs);
      }
      return;
    }
    notifiers.push(build(parsed.data, channel, deps));
  });
  return { notifiers, problems };
}

type Entry = { [K in keyof typeof SCHEMAS]: z.infer<(typeof SCHEMAS)[K]> }[keyof typeof SCHEMAS];

function build(c: Entry, name: string, deps: NotifyDeps): Notifier {
  const severities = c.severities ? { severities: c.severities as Severity[] } : {};
  const timeout = (t: string | number | undefined) =>
    t === undefined ? {} : { timeoutMs: parseDurationMs(t)! };
  switch (c.kind) {
    case 'log':
      return new LogNotifier({
        name,
        ...severities,
        ...(deps.stream ? { stream: deps.stream } : {}),
      });
    case 'webhook':
      return new WebhookNotifier({
        name,
        ...severities,
        url: c.url,
        ...(c.token ? { token: c.token } : {}),
        ...timeout(c.timeout),
      });
    case 'slack':
      return new SlackNotifier({
        name,
        ...severities,
        url: c.url,
        ...(c.channel ? { channel: c.channel } : {}),
        ...timeout(c.timeout),
      });
    case 'pagerduty':
      return new PagerDutyNotifier({
        name,
        ...severities,
        routingKey: c.routing_key,
        ...(c.url ? { url: c.url } : {}),
        ...(c.source ? { source: c.source } : {}),
        ...timeout(c.timeout),
      });
    case 'email':
      return new EmailNotifier({
        name,
        ...severities,
        smtp: c.smtp,
        to: typeof c.to === 'string' ? [c.to] : c.to,
        ...(c.from ? { from: c.from } : {}),
        ...timeout(c.timeout),
      });
    case 'alertmanager':
      return new AlertmanagerNotifier({
        name,
        ...severities,
        url: c.url,
        ...(c.token ? { token: c.token } : {}),
        ...timeout(c.timeout),
      });
  }
}

/** Each entry's name, else its kind; a repeated name gets `-2`, `-3`, … */
function channelNames(entries: readonly Record<string, unknown>[]): string[] {
  const seen = new Map<string, number>();
  return entries.map((e) => {
    const base = typeof e.name === 'string' && e.name !== '' ? e.name : String(e.kind ?? 'channel');
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}
