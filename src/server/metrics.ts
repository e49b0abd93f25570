/**
 * The Prometheus exposition at `/metrics`: trigger states, utilization per resource, days to
 * each breaking point, source and stage health, notifications per channel — so Prometheus and Grafana pick headroom up.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { ServeState } from './state.ts';

const STATUS_VALUE: Record<string, number> = {
  ok: 0,
  pending: 0.5,
  warning: 1,
  critical: 2,
  unknown: -1,
};
const DAY_MS = 86_400_000;

/** Renders the state as Prometheus text exposition (a fresh registry each scrape). */
export async function renderMetrics(
  state: ServeState,
): Promise<{ contentType: string; body: string }> {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[]): Gauge =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const trigger = gauge(
    'headroom_trigger_status',
    'Trigger status: 0 ok, 0.5 pending, 1 warning, 2 critical, -1 unknown.',
    ['plan', 'trigger'],
  );
  for (const s of state.statuses)
    trigger.set({ plan: state.plan, trigger: s.trigger }, STATUS_VALUE[s.status] ?? -1);
  const source = gauge(
    'headroom_source_up',
    'Whether a source read everything at the last collect (1) or not (0).',
    ['plan', 'source', 'kind'],
  );
  for (const [name, s] of Object.entries(state.sources))
    source.set({ plan: state.plan, source: name, kind: s.kind }, s.state === 'ok' ? 1 : 0);
  const stage = gauge(
    'headroom_stage_ok',
    'Whether a pipeline stage last ran without error (1) or not (0).',
    ['plan', 'stage'],
  );
  for (const [name, h] of Object.entries(state.stages))
    if (h.state !== 'pending' && h.state !== 'off')
      stage.set({ plan: state.plan, stage: name }, h.state === 'ok' ? 1 : 0);
  const desired = gauge(
    'headroom_desired_replicas',
    "Replicas an autoscaled pool's policy wants (what a Prometheus-driven HPA or KEDA trigger can follow).",
    ['plan', 'pool', 'policy'],
  );
  const current = gauge('headroom_replicas', 'Replicas an autoscaled pool runs now.', [
    'plan',
    'pool',
  ]);
  for (const p of state.scaling ?? []) {
    if (p.replicas.desired !== undefined)
      desired.set({ plan: state.plan, pool: p.name, policy: p.policy }, p.replicas.desired);
    if (p.replicas.current !== undefined)
      current.set({ plan: state.plan, pool: p.name }, p.replicas.current);
  }
  const notified = new Counter({
    name: 'headroom_notifications_total',
    help: 'Alert notifications per channel: sent, failed (sends retried later) and dropped (given up on).',
    labelNames: ['plan', 'channel', 'kind', 'outcome'],
    registers: [registry],
  });
  const waiting = gauge(
    'headroom_notifications_queued',
    'Alert notifications waiting for a channel that is down.',
    ['plan', 'channel', 'kind'],
  );
  for (const c of state.notify?.channels ?? []) {
    const labels = { plan: state.plan, channel: c.channel, kind: c.kind };
    for (const outcome of ['sent', 'failed', 'dropped'] as const)
      notified.inc({ ...labels, outcome }, c[outcome]);
    waiting.set(labels, c.queued);
  }
  const roadmap = state.roadmap;
  if (roadmap) {
    const util = gauge(
      'headroom_resource_utilization',
      'Utilization of a component resource (1 = full).',
      ['plan', 'component', 'resource'],
    );
    for (const r of roadmap.resources)
      if (r.utilization !== undefined)
        util.set(
          { plan: state.plan, component: r.ref.component, resource: r.ref.resource },
          r.utilization,
        );
    const days = gauge(
      'headroom_days_to_threshold',
      'Days until a resource crosses a threshold (0 when crossed).',
      ['plan', 'component', 'resource', 'severity'],
    );
    for (const p of roadmap.breakingPoints)
      if (p.at !== undefined)
        days.set(
          { plan: state.plan, component: p.component, resource: p.resource, severity: p.severity },
          Math.max(0, (p.at - roadmap.asOf) / DAY_MS),
        );
    const cost = gauge(
      'headroom_monthly_cost_usd',
      'Monthly cost of the deployed configuration, USD.',
      ['plan'],
    );
    if (roadmap.costs.totalMonthlyUsd !== undefined)
      cost.set({ plan: state.plan }, roadmap.costs.totalMonthlyUsd);
  }
  return { contentType: registry.contentType, body: await registry.metrics() };
}
