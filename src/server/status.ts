/**
 * The `/api/status` document: overall status, pipeline stages, sources, trigger counts, the
 * notification channels, and the plan's load state. Shared by the route and the live event
 * stream.
 */
import { overallStatus } from '../rules/overall.ts';
import type { NotifyView } from '../runtime/notify-stage.ts';
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
    notify: s.notify ? notifyDocument(s.notify) : null,
  };
}

/**
 * The notification channels as `/api/notify` (and `/api/status` → `notify`) show them: times
 * as ISO strings; null when the plan has no `notify:` entry.
 */
export function notifyDocument(view: NotifyView): Record<string, unknown> | null {
  if (view.channels.length === 0 && view.problems.length === 0) return null;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    channels: view.channels.map(({ lastSentAt, lastError, lastErrorAt, ...c }) => ({
      ...c,
      ...(lastSentAt !== undefined ? { last_sent_at: iso(lastSentAt) } : {}),
      ...(lastError !== undefined ? { last_error: lastError } : {}),
      ...(lastErrorAt !== undefined ? { last_error_at: iso(lastErrorAt) } : {}),
    })),
    problems: view.problems,
  };
}
