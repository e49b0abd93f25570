/**
 * The `slack` channel: posts to a Slack incoming webhook (`https://hooks.slack.com/services/…`).
 * The message has a plain `text` (what notifications and old clients show) and Block Kit
 * `blocks`: a headline with an emoji by severity (🔴 critical, 🟠 warning, ✅ resolved), then
 * the value, labels and action, inside an attachment whose colour bar follows the severity.
 * `channel` is passed on; only legacy webhooks honour it (new ones post to their own channel).
 *
 * Slack answers 200 `ok`; anything else (400 `invalid_payload`, 403, 404 `no_service`) is an
 * error with the status and Slack's reason. The webhook URL is a secret: messages show only
 * its host.
 */
import { HttpNotifier } from './http.ts';
import { formatValue, labelsText, summary, type AlertEvent, type Severity } from './notifier.ts';

/** Options of the Slack channel. */
export interface SlackNotifierOptions {
  name?: string;
  severities?: readonly Severity[];
  /** The incoming-webhook URL (from the environment). */
  url: string;
  /** Channel override, for legacy webhooks (`#alerts`). */
  channel?: string;
  /** Deadline of each request, ms (default 10 s). */
  timeoutMs?: number;
}

/** Colour of the attachment bar by state and severity. */
export const SLACK_COLOURS = { critical: '#d0021b', warning: '#f5a623', resolved: '#2eb67d' };
/** Emoji of the headline by state and severity. */
export const SLACK_EMOJI = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  resolved: ':white_check_mark:',
};

/** Escapes `&`, `<` and `>` as Slack's mrkdwn requires. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The JSON body the Slack channel sends for `event`. */
export function slackBody(event: AlertEvent, channel?: string): Record<string, unknown> {
  const look = event.state === 'resolved' ? 'resolved' : event.severity;
  const headline =
    event.state === 'resolved'
      ? `${SLACK_EMOJI[look]} *Resolved:* ${event.severity} \`${escape(event.trigger)}\` on plan *${escape(event.plan)}*`
      : `${SLACK_EMOJI[look]} *${event.severity === 'critical' ? 'Critical' : 'Warning'}:* \`${escape(event.trigger)}\` on plan *${escape(event.plan)}*`;
  const labels = labelsText(event.labels);
  const fields = [
    { type: 'mrkdwn', text: `*Value*\n${formatValue(event.value)}` },
    {
      type: 'mrkdwn',
      text: `*Since*\n<!date^${Math.floor((event.since ?? event.at) / 1000)}^{date_short_pretty} {time}|${new Date(event.since ?? event.at).toISOString()}>`,
    },
    ...(labels ? [{ type: 'mrkdwn', text: `*Labels*\n${escape(labels)}` }] : []),
  ];
  const details: Record<string, unknown>[] = [{ type: 'section', fields }];
  if (event.action && event.state === 'firing') {
    details.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*Action*\n${escape(event.action)}` },
    });
  }
  return {
    ...(channel ? { channel } : {}),
    text: summary(event),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: headline } }],
    attachments: [{ color: SLACK_COLOURS[look], blocks: details }],
  };
}

/** The Slack channel. */
export class SlackNotifier extends HttpNotifier {
  readonly kind = 'slack';
  private readonly channel: string | undefined;

  constructor(options: SlackNotifierOptions) {
    const url = new URL(options.url);
    // The webhook's path is its secret: only the host is shown.
    super('slack', options, { url, display: `the Slack webhook at ${url.host}` });
    this.channel = options.channel;
  }

  async send(event: AlertEvent): Promise<void> {
    await this.post(slackBody(event, this.channel));
  }
}
