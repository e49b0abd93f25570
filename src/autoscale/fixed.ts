/**
 * `fixed`: always the same number of replicas: a pool nobody scales, and the "do nothing"
 * baseline the other policies are compared with.
 */
import type { DecisionWithState, Policy, PolicySpec } from './types.ts';

/** The `fixed` entry of `PolicySpec`. */
export type FixedSpec = Extract<PolicySpec, { kind: 'fixed' }>;

/** Creates the fixed policy. Its state is empty. */
export function createFixedPolicy(spec: FixedSpec): Policy<null> {
  if (!(Number.isInteger(spec.replicas) && spec.replicas >= 0)) {
    throw new Error(`fixed: replicas must be a whole number >= 0; got ${spec.replicas}`);
  }
  return {
    name: 'fixed',
    initialState: () => null,
    decide(): DecisionWithState<null> {
      return { replicas: spec.replicas, reason: `fixed: ${spec.replicas} replicas`, state: null };
    },
  };
}
