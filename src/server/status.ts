/**
 * The `/api/status` document: overall status, pipeline stages, sources, trigger counts, and the
 * plan's load state. Shared by the route and the live event stream.
 */
import { overallStatus } from '../rules/overall.ts';
import type { ServeState } from './state.ts';

/** The status document of a state. */
export function statusDocument(s: ServeState): Record<string, unknown> {
  const counts = { ok: 0, pending: 0, warning: 0, critical: 0, unknown: 0 };
  for (const t of s.statuses) counts[t.status as keyof typeof counts]++;
  return {
    plan: s.plan,
    at: s.at === undefined ? null : new Date(s.at).toISOString(),
    status: s.statuses.length ? overallStatus(s.statuses) : 'unknown',
    started_at: new Date(s.startedAt).toISOString(),
    stages: s.stages,
    sources: s.sources,
    triggers: counts,
    loaded_at: s.loadedAt === undefined ? null : new Date(s.loadedAt).toISOString(),
    plan_errors: s.planErrors ?? [],
  };
}
