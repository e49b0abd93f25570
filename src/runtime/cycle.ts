/**
 * One runtime cycle: collect → store → evaluate triggers → persist alert state. `check` runs
 * one cycle; the terminal demo and `serve` run it on the plan's interval.
 */
import type { Plan } from '../plan/types.ts';
import { triggerSpecs } from '../plan/trigger-specs.ts';
import { evaluate, restoreState } from '../rules/engine.ts';
import type { EngineState, TriggerSpec, TriggerStatus, Transition } from '../rules/types.ts';
import type { Store } from '../store/store.ts';
import { SOURCE_UP_INPUT, sourceDownSpec, sourceUpVector } from './source-down.ts';
import { storeWindowInputs } from './store-windows.ts';
import {
  inputsFromSamples,
  derivedInputs,
  type Collector,
  type CollectOutcome,
} from './collect.ts';

/** Store key of the alert engine's state for a plan. */
export function alertStateKey(plan: Plan): string {
  return `alerts:${plan.name}`;
}

/** The result of one cycle. */
export interface CycleResult {
  /** Evaluation time, epoch ms. */
  at: number;
  /** What was collected. */
  collected: CollectOutcome;
  /** Status of every trigger. */
  statuses: TriggerStatus[];
  /** Alert state changes in this cycle. */
  transitions: Transition[];
  /** Engine state after the cycle. */
  state: EngineState;
  /** Set when the store failed; the cycle still evaluated (nothing is lost but persistence). */
  storeError?: string;
}

/** A plan's runtime loop state between cycles. */
export class Cycle {
  /** The triggers evaluated: the plan's and the built-in source-down trigger. */
  readonly specs: TriggerSpec[];
  private state: EngineState | undefined;
  private loaded = false;

  constructor(
    private readonly plan: Plan,
    private readonly collector: Collector,
    private readonly store: Store | undefined,
    private readonly now: () => number,
  ) {
    const sourceDown = sourceDownSpec(plan);
    this.specs = sourceDown ? [...triggerSpecs(plan), sourceDown] : triggerSpecs(plan);
  }

  /** Runs one cycle; the collect deadline is `timeoutMs`. Never rejects for source faults. */
  async run(timeoutMs: number): Promise<CycleResult> {
    let storeError: string | undefined;
    if (!this.loaded && this.store) {
      const saved = await this.store
        .loadState<unknown>(alertStateKey(this.plan))
        .catch((err: Error) => {
          storeError = err.message;
          return undefined;
        });
      // A state from another version, or a damaged one, is dropped: alerts start afresh.
      this.state = restoreState(saved);
    }
    this.loaded = true;
    const collected = await this.collector.collect(timeoutMs);
    const at = this.now();
    const inputs = inputsFromSamples(this.plan, collected.samples, collected.failures);
    if (this.store) await storeWindowInputs(this.plan, this.store, inputs, at);
    derivedInputs(this.plan, inputs);
    inputs[SOURCE_UP_INPUT] = sourceUpVector(this.plan, collected);
    const result = evaluate({ triggers: this.specs, inputs, now: at, previous: this.state });
    this.state = result.state;
    if (this.store) {
      try {
        await this.store.append(collected.samples);
        await this.store.saveState(alertStateKey(this.plan), result.state);
      } catch (err) {
        storeError = (err as Error).message;
      }
    }
    return {
      at,
      collected,
      statuses: result.statuses,
      transitions: result.transitions,
      state: result.state,
      storeError,
    };
  }
}
