/**
 * What the widgets read out of the API's documents: a resource's tone from its thresholds,
 * the storage resources, a trigger's display unit, the first driver.
 */
import type { ForecastDoc, ResourceState, StatusWord, TriggerStatus } from './api-types.ts';
import type { Tone } from './dom.ts';
import { unitOfCondition } from './format.ts';

/** A resource's tone by the thresholds its triggers set: ok, warning, critical, or full. */
export function resourceTone(r: ResourceState): Tone {
  const u = r.utilization;
  if (u === undefined || !Number.isFinite(u)) return 'unknown';
  if (u >= 1) return 'full';
  const crossed = r.thresholds.filter((t) => t.severity !== 'capacity' && u >= t.utilization);
  if (crossed.some((t) => t.severity === 'critical')) return 'critical';
  if (crossed.some((t) => t.severity === 'warning')) return 'warning';
  return 'ok';
}

/** The worst of several tones. */
export function worstTone(tones: Tone[]): Tone {
  const order: Tone[] = ['full', 'critical', 'warning', 'pending', 'unknown', 'ok', 'info'];
  for (const t of order) if (tones.includes(t)) return t;
  return 'info';
}

/** A trigger status as a tone. */
export function statusTone(s: StatusWord): Tone {
  return s;
}

/** Resources measured in bytes (storage, disk, memory), triggered ones first, then fullest. */
export function storageResources(components: ResourceState[]): ResourceState[] {
  const triggered = (r: ResourceState): number =>
    r.thresholds.some((t) => t.severity !== 'capacity') ? 0 : 1;
  return components
    .filter((r) => r.unit === 'B' && r.capacity !== undefined && r.capacity > 0)
    .sort((a, b) => triggered(a) - triggered(b) || (b.utilization ?? -1) - (a.utilization ?? -1));
}

/** Display unit of each trigger, from its conditions as written. */
export function triggerUnits(
  forecast: ForecastDoc | undefined,
): Map<string, 'ratio' | 's' | 'B' | ''> {
  const units = new Map<string, 'ratio' | 's' | 'B' | ''>();
  for (const t of forecast?.triggers ?? [])
    units.set(t.trigger, unitOfCondition(t.levels[0]?.condition));
  return units;
}

/** A trigger that counts waiting messages (queue depth, backlog), if the plan has one. */
export function backlogTrigger(
  triggers: TriggerStatus[],
  units: Map<string, string>,
): TriggerStatus | undefined {
  return triggers.find(
    (t) =>
      /queue|depth|backlog|pending|waiting/i.test(t.trigger) && (units.get(t.trigger) ?? '') === '',
  );
}

/** The action of a trigger now: its level's, else its first instance's. */
export function triggerAction(t: TriggerStatus): string | undefined {
  return t.action ?? t.instances.find((i) => i.action)?.action;
}

/** Name of a resource's component.resource. */
export function key(r: { ref: { component: string; resource: string } }): string {
  return `${r.ref.component}.${r.ref.resource}`;
}

/** The trigger that watches a resource's utilization (it sets the resource's thresholds). */
export function resourceTrigger(r: ResourceState): string | undefined {
  return r.thresholds.find((t) => t.trigger)?.trigger;
}

/**
 * A resource with its utilization as of the latest evaluation: /api/components changes only
 * when the roadmap is rebuilt (every minute), while the trigger on the resource's utilization
 * is evaluated every step. Without such a trigger the resource is returned as it is.
 */
export function liveResource(r: ResourceState, triggers: TriggerStatus[]): ResourceState {
  const name = resourceTrigger(r);
  const value = name ? triggers.find((t) => t.trigger === name)?.value : undefined;
  if (value === undefined || !Number.isFinite(value) || r.capacity === undefined) return r;
  return { ...r, utilization: value, effectiveUsage: value * r.capacity };
}

/** The live-chart key of a resource: its trigger's values when it has one, else its own. */
export function historyKey(r: ResourceState): string {
  const name = resourceTrigger(r);
  return name ? `trigger:${name}` : `util:${r.ref.component}.${r.ref.resource}`;
}
