/**
 * The demo's actuator: it sets a worker pool's replicas in the simulated IRISX, where new
 * workers take the world's start-up delay and removed ones drain. It reports how many are ready
 * apart from how many are asked for, as a Kubernetes Deployment's status does.
 */
import type { Actuator } from '../actuators/actuator.ts';
import type { IrisxWorld } from './irisx-world.ts';

/** The actuator for one simulated pool. */
export function simulatedActuator(world: IrisxWorld, pool: string): Actuator {
  return {
    kind: 'simulated',
    current: () => Promise.resolve(world.replicas(pool)),
    ready: () => world.readyReplicas(pool),
    scale: (replicas: number) => {
      world.setReplicas(pool, replicas);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
