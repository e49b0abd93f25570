/**
 * Test support: a tiny local server on 127.0.0.1 that answers the Prometheus HTTP API with
 * canned bodies chosen by the PromQL text, and records every request it saw.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusSource } from './prometheus.ts';
import type { MetricRequest } from './source.ts';

/** A canned answer: HTTP status (default 200), body (JSON unless a string), optional delay in ms. */
export interface Canned {
  /** HTTP status. */
  status?: number;
  /** Sent as is when a string, else as JSON. */
  body: unknown;
  /** Wait this long, in ms, before answering. */
  delayMs?: number;
}

/** One request the server received. */
export interface SeenRequest {
  /** HTTP method. */
  method: string;
  /** Request path with query string. */
  path: string;
  /** Request headers, lower-cased names. */
  headers: IncomingHttpHeaders;
  /** The form-encoded body. */
  form: URLSearchParams;
}

/** A running canned server. */
export interface CannedPrometheus {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** Requests received so far, oldest first (tests may clear it). */
  seen: SeenRequest[];
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

/** A successful instant-query body holding `result` as a vector. */
export function vectorBody(result: unknown[]): unknown {
  return { status: 'success', data: { resultType: 'vector', result } };
}

/** Starts the server; queries missing from `answers` get a one-series vector of value 1. */
export async function startCannedPrometheus(
  answers: Record<string, Canned>,
): Promise<CannedPrometheus> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(text);
      seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, form });
      const query = form.get('query');
      const reply: Canned =
        query === null
          ? { status: 404, body: '404 page not found' }
          : (answers[query] ?? { body: vectorBody([{ metric: {}, value: [1, '1'] }]) });
      const send = () => {
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
        res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
      };
      // unref: a slow answer still pending must not keep the test process alive.
      if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A prometheus source at `url` reading one plan metric per query, with an injectable clock. */
export function prometheusSourceFor(
  url: string,
  queries: Record<string, string>,
  options: Record<string, unknown> = {},
  now: () => number = Date.now,
): PrometheusSource {
  const metrics: MetricRequest[] = Object.entries(queries).map(([name, query]) => ({
    name,
    select: { query },
  }));
  return new PrometheusSource({ name: 'prom', options: { url, ...options }, metrics, now });
}
