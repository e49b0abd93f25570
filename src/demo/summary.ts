/**
 * The line `headroom demo` prints every few seconds, so a terminal shows the simulated system
 * moving even before the dashboard is opened: simulated time, companies, alerts, workers.
 */
import type { ServeState } from '../server/state.ts';
import { DEMO_POOLS, type IrisxWorld } from './irisx-world.ts';

/** One status line. */
export function demoSummary(state: ServeState, world: IrisxWorld, now: number): string {
  const when = new Date(now).toISOString().slice(0, 16).replace('T', ' ');
  const alerts = state.statuses
    .filter((s) => s.status === 'warning' || s.status === 'critical' || s.status === 'pending')
    .map((s) => `${s.trigger} ${s.status}`);
  const workers = DEMO_POOLS.map((p) => `${p.replace('-worker', '')} ${world.replicas(p)}`);
  const next = state.roadmap?.breakingPoints[0];
  const first = next?.at
    ? `; first to break: ${next.component} ${next.resource} ${new Date(next.at).toISOString().slice(0, 10)}`
    : '';
  return (
    `[${when} simulated] companies ${world.metric('companies')}; workers ${workers.join(', ')}; ` +
    `alerts: ${alerts.length > 0 ? alerts.join(', ') : 'none'}${first}`
  );
}
