/**
 * `createPolicy`: a compiled `PolicySpec` and its safety options to a ready policy, wrapped in
 * the safety rails. The generic scale-down stabilization (`SafetyOptions.scaleDownStabilizationMs`)
 * is applied once, where it belongs:
 *
 * - `hpa` keeps its own Kubernetes behavior: the option, when given, becomes the HPA's
 *   `behavior.scaleDown.stabilizationWindowSeconds` (default 300 s) and the generic rail is off,
 *   so it is never applied twice;
 * - `step` has its own `for` durations and cooldowns, so the generic rail is off unless asked
 *   for explicitly (the roadmap's rules act as written);
 * - `fixed` and `oracle` do not need it (off unless asked for);
 * - `target-latency` and `predictive` do not need it (off unless asked for): their rate
 *   estimate already falls slowly (2 min time constant) and rises fast only on a significant
 *   surge, so noise does not make them flap, and a 300 s window of the highest recommendation
 *   kept the peak of every noise blip for five minutes (on the bench's traces it cost 15–40 %
 *   more worker-hours for violations the volatility margin avoids more cheaply).
 */
import { createFixedPolicy } from './fixed.ts';
import { createHpaPolicy } from './hpa.ts';
import { createOraclePolicy } from './oracle.ts';
import { createPredictivePolicy } from './predictive.ts';
import { DEFAULT_SCALE_DOWN_STABILIZATION_MS, withSafety } from './safety.ts';
import { createStepPolicy } from './step.ts';
import { createTargetLatencyPolicy } from './target-latency.ts';
import type { Policy, PolicySpec, SafetyOptions } from './types.ts';

/** Default scale-down stabilization of `target-latency` and `predictive`, ms (none). */
export const WAIT_POLICY_SCALE_DOWN_STABILIZATION_MS = 0;

/** The policy a spec describes, inside the safety rails. */
export function createPolicy(spec: PolicySpec, safety: SafetyOptions): Policy {
  const explicit = safety.scaleDownStabilizationMs;
  switch (spec.kind) {
    case 'fixed':
      return withSafety(createFixedPolicy(spec), {
        ...safety,
        scaleDownStabilizationMs: explicit ?? 0,
      });
    case 'hpa': {
      const hpa = createHpaPolicy(spec, {
        min: safety.min,
        max: safety.max,
        behavior: {
          scaleDown: { stabilizationWindowMs: explicit ?? DEFAULT_SCALE_DOWN_STABILIZATION_MS },
        },
      });
      return withSafety(hpa, { ...safety, scaleDownStabilizationMs: 0 });
    }
    case 'step':
      return withSafety(createStepPolicy(spec), {
        ...safety,
        scaleDownStabilizationMs: explicit ?? 0,
      });
    case 'target-latency':
      return withSafety(createTargetLatencyPolicy(spec), {
        ...safety,
        scaleDownStabilizationMs: explicit ?? WAIT_POLICY_SCALE_DOWN_STABILIZATION_MS,
      });
    case 'predictive':
      return withSafety(createPredictivePolicy(spec), {
        ...safety,
        scaleDownStabilizationMs: explicit ?? WAIT_POLICY_SCALE_DOWN_STABILIZATION_MS,
      });
    case 'oracle':
      return withSafety(createOraclePolicy(spec), {
        ...safety,
        scaleDownStabilizationMs: explicit ?? 0,
      });
  }
}
