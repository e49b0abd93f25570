/**
 * The dashboard at `/`: the built web app (web/dist, from `npm run build:web`) served by
 * @fastify/static beside the API. Until it is built, `/` answers 503 with what to run. The
 * dashboard's files hold no data, so they are served without the access token (a browser
 * cannot send one when it opens the page); the page then sends it on every `/api` request.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build:web` writes the dashboard. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** What `/` says while the dashboard has not been built. */
export const NOT_BUILT =
  'The dashboard has not been built (web/dist is missing): run `npm run build:web`, then reload this page.\n' +
  'The API is served meanwhile: /api/status, /api/openapi.json, /metrics.\n';

/** Options of `registerDashboard`. */
export interface DashboardOptions {
  /** The built dashboard (default: web/dist of this package). */
  root?: string;
}

/** Serves the dashboard at `/` and its assets under `/assets/`; `/api/*` and `/metrics` stay as they are. */
export async function registerDashboard(
  app: FastifyInstance,
  options: DashboardOptions = {},
): Promise<void> {
  const root = options.root ?? DASHBOARD_DIR;
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: false,
    // A missing web/dist is reported by `/` below, not as a warning at start.
    suppressWarning: true,
    cacheControl: false,
    // Bundles carry a content hash in their names and never change; the page itself must be
    // re-read after a rebuild.
    setHeaders: (reply, path) => {
      reply.header(
        'cache-control',
        /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  // Checked per request, so a dashboard built while the server runs is served at once.
  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    if (!existsSync(join(root, 'index.html')))
      return reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root);
  });
}

/** True for the dashboard's own files (`/`, `/index.html`, `/assets/…`), which need no token. */
export function isDashboardPath(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  if (path.includes('..') || path.includes('%')) return false;
  return path === '/' || path === '/index.html' || /^\/assets\/[\w.-]+$/.test(path);
}
