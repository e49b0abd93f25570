/**
 * Replica changes as policies see them. A policy cannot know whether its last answer was
 * carried out (a safety rail may have changed it, a dry run never applies it, an actuator may
 * fail), so the policies here learn about changes from the observations: when the replicas
 * asked for differ from those seen at the previous call, a change took effect, and it is
 * stamped with the time of that previous call (when it was asked for).
 */

/** A replica change that took effect: when it was asked for, and by how much (+ up, − down). */
export interface ReplicaChange {
  /** Epoch ms of the call that asked for it. */
  at: number;
  /** Replicas added (positive) or removed (negative). */
  change: number;
}

/** The replicas seen at a policy's previous call, and when. */
export interface LastSeen {
  /** Epoch ms of the previous call. */
  at: number;
  /** `currentReplicas` at that call. */
  replicas: number;
}

/**
 * The change between the previous call and this one, stamped with the previous call's time;
 * undefined on the first call or when the replicas did not move.
 */
export function observedChange(
  last: LastSeen | null,
  currentReplicas: number,
): ReplicaChange | undefined {
  if (last === null || last.replicas === currentReplicas) return undefined;
  return { at: last.at, change: currentReplicas - last.replicas };
}

/** The items stamped strictly after `cutoff` (epoch ms). */
export function keepAfter<T extends { at: number }>(items: readonly T[], cutoff: number): T[] {
  return items.filter((item) => item.at > cutoff);
}

/** Replicas added (sum of positive changes) strictly after `cutoff`. */
export function addedAfter(changes: readonly ReplicaChange[], cutoff: number): number {
  let sum = 0;
  for (const c of changes) if (c.at > cutoff && c.change > 0) sum += c.change;
  return sum;
}

/** Replicas removed (sum of negative changes, as a positive number) strictly after `cutoff`. */
export function removedAfter(changes: readonly ReplicaChange[], cutoff: number): number {
  let sum = 0;
  for (const c of changes) if (c.at > cutoff && c.change < 0) sum -= c.change;
  return sum;
}
