/**
 * Live updates for the dashboard: `GET /api/events` is a Server-Sent Events stream that sends
 * the status document after every loop step (`event: status`) and each alert state change as
 * it happens (`event: alert`), with a comment every 15 s to keep proxies from closing it.
 */
import type { FastifyInstance } from 'fastify';
import type { ServeState } from './state.ts';
import { statusDocument } from './status.ts';

/** Something that says when the served state changed. */
export interface Updates {
  /** Calls `listener` after each change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

/** A simple `Updates` the loop notifies after each step. */
export class UpdateHub implements Updates {
  private readonly listeners = new Set<() => void>();

  /** Adds a listener. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells every listener; one that throws does not stop the others. */
  notify(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A closed stream: its close handler unsubscribes it.
      }
    }
  }
}

/** Keep-alive comment interval, ms. */
export const HEARTBEAT_MS = 15_000;

/** Registers `GET /api/events`. */
export function registerEvents(
  app: FastifyInstance,
  state: () => ServeState,
  updates: Updates,
): void {
  app.get(
    '/api/events',
    { schema: { description: 'Server-Sent Events: status after every step, and alert changes.' } },
    (request, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      const send = (event: string, data: unknown): void => {
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      let sentUpTo = state().transitions.at(-1)?.t ?? -Infinity;
      send('status', statusDocument(state()));
      const unsubscribe = updates.subscribe(() => {
        const s = state();
        for (const t of s.transitions)
          if (t.t > sentUpTo) send('alert', { ...t, t: new Date(t.t).toISOString() });
        sentUpTo = s.transitions.at(-1)?.t ?? sentUpTo;
        send('status', statusDocument(s));
      });
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      request.raw.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
      });
    },
  );
}
