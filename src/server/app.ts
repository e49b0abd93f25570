/**
 * The HTTP side of `headroom serve` (fastify): the REST API under `/api/` — status, triggers,
 * alert history, components, forecasts, tiers, costs, checklist — its OpenAPI document, and the
 * Prometheus exposition at `/metrics`. Read-only; every answer comes from the loop's latest
 * state. Bad requests get a 4xx with a clear message, never a 500.
 */
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { tokenMatches } from './auth.ts';
import { checklistDocument } from './checklist.ts';
import { isDashboardPath, registerDashboard } from './dashboard.ts';
import { renderMetrics } from './metrics.ts';
import type { ServeState } from './state.ts';
import { notifyDocument, statusDocument } from './status.ts';
import { registerEvents, type Updates } from './events.ts';

/** Options of the app. */
export interface AppOptions {
  /** The loop's latest state. */
  state: () => ServeState;
  /** When set, every request must carry it as a bearer token. */
  token?: string;
  /** Tells `/api/events` when the state changed (after each loop step). */
  updates?: Updates;
}

const ERROR = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

const STATUS = {
  type: 'object',
  required: ['plan', 'status', 'stages', 'sources', 'triggers'],
  properties: {
    plan: { type: 'string' },
    at: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['ok', 'warning', 'critical', 'unknown'] },
    started_at: { type: 'string' },
    stages: { type: 'object', additionalProperties: true },
    loaded_at: { type: ['string', 'null'] },
    plan_errors: { type: 'array', items: { type: 'object', additionalProperties: true } },
    notify: { type: ['object', 'null'], additionalProperties: true },
    sources: { type: 'object', additionalProperties: true },
    triggers: {
      type: 'object',
      properties: {
        ok: { type: 'integer' },
        pending: { type: 'integer' },
        warning: { type: 'integer' },
        critical: { type: 'integer' },
        unknown: { type: 'integer' },
      },
    },
  },
} as const;

/** Builds the app (not listening: `listen()` it, or `inject()` in tests). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  // removeAdditional off: an unknown query field is a mistake to report, not to drop.
  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    // Event streams never go idle: closing must end them, or Ctrl-C waits for every dashboard.
    forceCloseConnections: true,
    ajv: { customOptions: { removeAdditional: false } },
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'headroom',
        description: 'A living capacity plan: status, forecasts, tiers and costs.',
        version: '0.1.0',
      },
    },
  });
  if (options.token) {
    const token = options.token;
    app.addHook('onRequest', async (request, reply) => {
      if (!tokenMatches(request.headers.authorization, token) && !isDashboardPath(request.url))
        return fail(
          reply,
          401,
          'UNAUTHORIZED',
          'send the access token as "Authorization: Bearer <token>"',
        );
    });
  }
  app.setNotFoundHandler((request, reply) =>
    fail(
      reply,
      404,
      'NOT_FOUND',
      `no route ${request.method} ${request.url}; see /api/openapi.json`,
    ),
  );
  app.setErrorHandler(
    (err: { statusCode?: number; message: string; validation?: unknown }, _request, reply) => {
      const code =
        err.statusCode && err.statusCode >= 400 && err.statusCode < 500
          ? err.statusCode
          : err.validation
            ? 400
            : 500;
      return fail(reply, code, code === 500 ? 'INTERNAL' : 'BAD_REQUEST', err.message);
    },
  );
  registerRoutes(app, options.state);
  await registerDashboard(app);
  if (options.updates) registerEvents(app, options.state, options.updates);
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const { contentType, body } = await renderMetrics(options.state());
    return reply.type(contentType).send(body);
  });
  return app;
}

function fail(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json').send({ error: { code, message } });
}

function registerRoutes(app: FastifyInstance, state: () => ServeState): void {
  app.get(
    '/api/status',
    {
      schema: {
        description: 'Overall status, pipeline stages, sources and trigger counts.',
        response: { 200: STATUS },
      },
    },
    async () => statusDocument(state()),
  );
  app.get(
    '/api/triggers',
    { schema: { description: 'Every trigger with its status, value and alert instances.' } },
    async () => state().statuses,
  );
  app.get(
    '/api/alerts',
    {
      schema: {
        description: 'Alert state changes, newest first.',
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          additionalProperties: false,
        },
        response: { 400: ERROR },
      },
    },
    async (request) => {
      const { limit } = request.query as { limit: number };
      return state()
        .transitions.slice(-limit)
        .reverse()
        .map((t) => ({ ...t, t: new Date(t.t).toISOString() }));
    },
  );
  const fromRoadmap = <T>(
    path: string,
    description: string,
    pick: (r: NonNullable<ServeState['roadmap']>) => T,
  ): void => {
    app.get(
      path,
      { schema: { description, response: { 503: ERROR } } },
      async (_request, reply) => {
        const roadmap = state().roadmap;
        if (!roadmap)
          return fail(
            reply,
            503,
            'NOT_READY',
            'the first forecast has not run yet; try again in a few seconds',
          );
        return pick(roadmap);
      },
    );
  };
  fromRoadmap(
    '/api/components',
    'Every component resource: capacity, usage, utilization and the fit of its load model.',
    (r) => r.resources,
  );
  fromRoadmap(
    '/api/forecast',
    'Breaking points, first on top, and when each trigger is projected to fire.',
    (r) => ({
      breaking_points: r.breakingPoints,
      triggers: r.triggers.map((t) => t.forecast),
      drivers: r.drivers,
    }),
  );
  fromRoadmap(
    '/api/tiers',
    'The tier ladder: where we stand, bounds, the next step, what breaks first.',
    (r) => ({ deployed: r.deployedTier, next_step: r.nextStep, tiers: r.tiers }),
  );
  fromRoadmap(
    '/api/costs',
    'Monthly costs now, unit costs, per driver unit, break-even.',
    (r) => r.costs,
  );
  fromRoadmap(
    '/api/checklist',
    'Readiness checklists with progress; load-test items with their last run.',
    (r) => checklistDocument(r.checklists),
  );
  app.get(
    '/api/notify',
    {
      schema: {
        description:
          "Notification channels: what each delivered, failed, dropped and holds for retry, the last error, and the plan's notify entries that gave no channel (a secret not set, a bad field).",
        response: { 404: ERROR },
      },
    },
    async (_request, reply) => {
      const view = state().notify;
      const doc = view ? notifyDocument(view) : null;
      if (!doc)
        return fail(
          reply,
          404,
          'NOT_CONFIGURED',
          'this plan sends no notifications; add a notify: section (see docs/notify.md)',
        );
      return doc;
    },
  );
  app.get(
    '/api/scaling',
    {
      schema: {
        description:
          'Autoscaled pools: policy, replicas (current, desired, bounds), the latest decision with its reason, recent changes.',
        response: { 404: ERROR },
      },
    },
    async (_request, reply) => {
      const pools = state().scaling;
      if (!pools || pools.length === 0)
        return fail(
          reply,
          404,
          'NOT_CONFIGURED',
          'this plan autoscales nothing; add an autoscale: section (see docs/autoscale.md)',
        );
      return {
        pools: pools.map((p) => ({
          ...p,
          decisions: p.decisions.map((d) => ({ ...d, at: new Date(d.at).toISOString() })),
          ...(p.last_decision
            ? {
                last_decision: {
                  ...p.last_decision,
                  at: new Date(p.last_decision.at).toISOString(),
                },
              }
            : {}),
        })),
      };
    },
  );
}
