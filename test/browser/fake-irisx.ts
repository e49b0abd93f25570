/**
 * Test support for the dashboard's browser test: a small IRISX that answers the Prometheus
 * HTTP API on 127.0.0.1 for test/fixtures/dashboard/irisx-live.yaml, with values the test can
 * override (to push storage over a threshold), and the three weeks of history it would have
 * recorded, written straight into a SQLite store before `headroom serve` starts.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { Sample } from '../../src/sources/source.ts';

const WEEK_MS = 7 * 86_400_000;

/** Each plan metric's PromQL query in the fixture plan, by metric name. */
export const QUERIES: Record<string, string> = {
  companies: 'irisx_companies',
  nats_storage_used: 'nats_storage_bytes',
  nats_memory_used: 'nats_memory_bytes',
  sms_stream_bytes: 'stream_bytes{stream="SMS"}',
  email_stream_bytes: 'stream_bytes{stream="EMAIL"}',
  webhooks_stream_bytes: 'stream_bytes{stream="WEBHOOKS"}',
  sms_stream_msgs: 'stream_messages{stream="SMS"}',
  email_stream_msgs: 'stream_messages{stream="EMAIL"}',
  webhooks_stream_msgs: 'stream_messages{stream="WEBHOOKS"}',
  sms_pending: 'consumer_pending{stream="SMS"}',
  email_pending: 'consumer_pending{stream="EMAIL"}',
  webhooks_pending: 'consumer_pending{stream="WEBHOOKS"}',
  sms_processed_rate: 'processed_rate{channel="sms"}',
  email_processed_rate: 'processed_rate{channel="email"}',
  webhooks_processed_rate: 'processed_rate{channel="webhook"}',
  worker_cpu: 'worker_cpu',
  api_p95: 'api_p95_seconds',
  sms_sent_total: 'sms_sent_total',
  emails_sent_total: 'emails_sent_total',
  voice_minutes_total: 'voice_minutes_total',
};

/** A deterministic wobble in [-1, 1] (no randomness: the same run draws the same charts). */
function wobble(t: number, periodMs: number, phase = 0): number {
  return Math.sin((2 * Math.PI * t) / periodMs + phase);
}

/** Every metric's value at `t` (epoch ms), canonical units, for a world whose present is `now`. */
export function irisxAt(t: number, now: number): Record<string, number> {
  const weeksAgo = (now - t) / WEEK_MS;
  const companies = Math.round(1200 - 15 * weeksAgo + 4 * wobble(t, 86_400_000 * 3.1));
  const day = wobble(t, 86_400_000);
  const burst = Math.max(0, wobble(t, 90_000)) ** 4;
  const sinceStart = t - (now - 60 * 86_400_000);
  return {
    companies,
    nats_storage_used:
      45e9 - 2e9 * weeksAgo + 0.6e9 * day + 0.25e9 * wobble(t, 86_400_000 * 2.3, 1),
    nats_memory_used: 1.1e9 + 0.2e9 * day,
    sms_stream_bytes: companies * 500 * 7 * 500,
    email_stream_bytes: companies * 1000 * 7 * 5000 * 0.5,
    webhooks_stream_bytes: companies * 2000 * 7 * 2000 * 0.25,
    sms_stream_msgs: companies * 500 * 7,
    email_stream_msgs: companies * 1000 * 7 * 0.5,
    webhooks_stream_msgs: companies * 2000 * 7 * 0.25,
    sms_pending: Math.round(234 + 180 * day + 3000 * burst),
    email_pending: Math.round(890 + 400 * day + 1200 * burst),
    webhooks_pending: Math.round(123 + 90 * day),
    sms_processed_rate: 45 + 12 * day,
    email_processed_rate: 78 + 15 * day,
    webhooks_processed_rate: 11 + 4 * day,
    worker_cpu: 0.42 + 0.12 * day,
    api_p95: 0.085 + 0.02 * day,
    // Counters: 157K SMS, 200K emails and 265K voice minutes a month, as the roadmap's widget.
    sms_sent_total: (157_000 * sinceStart) / 2_629_800_000,
    emails_sent_total: (200_000 * sinceStart) / 2_629_800_000,
    voice_minutes_total: (265_000 * sinceStart) / 2_629_800_000,
  };
}

/** The fake Prometheus: its URL, the values to force, and how to stop it. */
export interface FakePrometheus {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** Values that replace the world's, by metric name (canonical units). */
  overrides: Record<string, number>;
  /** Stops the server. */
  close(): Promise<void>;
}

/** Starts the fake Prometheus; `now` is the world's present (the run's start). */
export async function startFakePrometheus(now: number): Promise<FakePrometheus> {
  const byQuery = new Map(Object.entries(QUERIES).map(([metric, query]) => [query, metric]));
  const overrides: Record<string, number> = {};
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body || (req.url ?? '').split('?')[1] || '');
      const metric = byQuery.get(form.get('query') ?? '');
      res.writeHead(metric ? 200 : 400, { 'content-type': 'application/json' });
      if (!metric) {
        res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'unknown query' }));
        return;
      }
      const t = Date.now();
      const value = overrides[metric] ?? irisxAt(t, now)[metric]!;
      res.end(
        JSON.stringify({
          status: 'success',
          data: {
            resultType: 'vector',
            result: [{ metric: {}, value: [t / 1000, String(value)] }],
          },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    overrides,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Writes `days` of hourly history, up to a minute before `now`, into the store at `path`. */
export async function writeHistory(path: string, now: number, days: number): Promise<void> {
  const store = await openSqliteStore({ path });
  try {
    const samples: Sample[] = [];
    for (let t = now - days * 86_400_000; t < now - 60_000; t += 3_600_000)
      for (const [metric, value] of Object.entries(irisxAt(t, now)))
        samples.push({ metric, labels: {}, value, at: t });
    await store.append(samples);
  } finally {
    await store.close();
  }
}
