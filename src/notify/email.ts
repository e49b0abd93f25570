/**
 * The `email` channel: sends each event as a plain-text mail through an SMTP relay (nodemailer).
 *
 *   smtp: "${SMTP_URL}"    smtp://user:password@mail.example.com:587 (STARTTLS when offered)
 *                          smtps://user:password@mail.example.com:465 (TLS from the start)
 *   to:   ops@example.com, or a list
 *   from: "headroom <headroom@example.com>"   (default headroom@<the SMTP host>)
 *
 * Subject: `[FIRING] critical cpu-high (plan shop)`; the body has the summary line, then the
 * value, labels, since and action, one per line. The relay's answer decides: an address it
 * rejects, a login it refuses, no connection, or no answer within the timeout is an error that
 * names the relay's host and the reply, never the password.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { errorMessage, oneLine } from '../actuators/actuator.ts';
import { DEFAULT_NOTIFY_TIMEOUT_MS, NotifyError } from './http.ts';
import {
  formatValue,
  labelsText,
  summary,
  type AlertEvent,
  type Notifier,
  type Severity,
} from './notifier.ts';

/** Options of the email channel. */
export interface EmailNotifierOptions {
  name?: string;
  severities?: readonly Severity[];
  /** SMTP relay URL, `smtp://` or `smtps://`, with credentials (from the environment). */
  smtp: string;
  /** Recipients. */
  to: readonly string[];
  /** Sender (default `headroom@<relay host>`). */
  from?: string;
  /** Deadline of connecting, greeting and each reply, ms (default 10 s). */
  timeoutMs?: number;
}

/** The mail the channel sends for `event`. */
export function emailMessage(event: AlertEvent): { subject: string; text: string } {
  const subject = `[${event.state.toUpperCase()}] ${event.severity} ${event.trigger} (plan ${event.plan})`;
  const labels = labelsText(event.labels);
  const lines = [
    summary(event),
    '',
    `Plan:     ${event.plan}`,
    `Trigger:  ${event.trigger}`,
    `Severity: ${event.severity}`,
    `State:    ${event.state}`,
    `Value:    ${formatValue(event.value)}`,
    ...(labels ? [`Labels:   ${labels}`] : []),
    `At:       ${new Date(event.at).toISOString()}`,
    ...(event.since !== undefined
      ? [
          `${event.state === 'firing' ? 'Active since' : 'Fired at'}: ${new Date(event.since).toISOString()}`,
        ]
      : []),
    ...(event.action && event.state === 'firing' ? ['', `Action: ${event.action}`] : []),
    '',
    '-- headroom',
  ];
  return { subject: oneLine(subject, 200), text: `${lines.join('\n')}\n` };
}

/** The email channel. */
export class EmailNotifier implements Notifier {
  readonly kind = 'email';
  readonly name: string;
  readonly severities?: readonly Severity[];
  private readonly transport: Transporter;
  private readonly host: string;
  private readonly from: string;
  private readonly to: readonly string[];

  constructor(options: EmailNotifierOptions) {
    this.name = options.name ?? 'email';
    if (options.severities) this.severities = options.severities;
    const url = new URL(options.smtp);
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
      throw new Error(`the SMTP URL must start with smtp:// or smtps://, not ${url.protocol}//`);
    }
    this.host = url.port ? `${url.hostname}:${url.port}` : url.hostname;
    const timeout = options.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS;
    this.transport = nodemailer.createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
      secure: url.protocol === 'smtps:',
      ...(url.username
        ? {
            auth: {
              user: decodeURIComponent(url.username),
              pass: decodeURIComponent(url.password),
            },
          }
        : {}),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
    this.from = options.from ?? `headroom@${url.hostname}`;
    this.to = options.to;
  }

  async send(event: AlertEvent): Promise<void> {
    const { subject, text } = emailMessage(event);
    try {
      await this.transport.sendMail({ from: this.from, to: [...this.to], subject, text });
    } catch (err) {
      const response = (err as { response?: string }).response;
      const code = (err as { code?: string }).code;
      const detail = response ?? errorMessage(err);
      throw new NotifyError(
        this.kind,
        this.name,
        `${this.kind} ${this.name}: the SMTP relay ${this.host} refused or failed: ${oneLine(detail, 200)}${code && !detail.includes(code) ? ` (${code})` : ''}`,
      );
    }
  }
}
