/**
 * The actuator of a pool whose plan entry names none: headroom decides and publishes the
 * replicas (`/api/scaling`, `headroom_desired_replicas` in `/metrics`, which an HPA or KEDA
 * Prometheus trigger can follow) but changes nothing itself. Its "current" replicas are its
 * last recommendation, starting from the pool's minimum.
 */
import type { Actuator } from './actuator.ts';

/** An actuator that only remembers the replicas it was asked for. */
export function advisoryActuator(initial: number): Actuator {
  let replicas = initial;
  return {
    kind: 'advisory',
    current: () => Promise.resolve(replicas),
    scale: (n: number) => {
      replicas = n;
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
