/**
 * The `prometheus` actuator: publishes the desired replicas as a gauge,
 * `headroom_desired_replicas{pool="<pool>"}`, in a prom-client `Registry` (headroom's
 * `/metrics`), for an HPA that already scales on Prometheus (through prometheus-adapter) or a
 * KEDA `prometheus` trigger to follow:
 *
 *   query: max(headroom_desired_replicas{pool="sms-worker"})   threshold: "1"
 *
 * With an `AverageValue` target of 1 the HPA (or KEDA) computes exactly the desired replicas.
 * The value only changes when a decision is carried out, so dry runs and safety rails are
 * respected. Several pools share the gauge; `close()` removes the pool's series.
 */
import { Gauge, type Registry } from 'prom-client';
import {
  ActuatorError,
  assertReplicas,
  StatusRecorder,
  type Actuator,
  type ActuatorStatus,
} from './actuator.ts';

/** The gauge's name. */
export const DESIRED_REPLICAS_METRIC = 'headroom_desired_replicas';

/** Options of the prometheus actuator. */
export interface PrometheusActuatorOptions {
  /** The pool it scales (the `pool` label). */
  pool: string;
  /** The registry `/metrics` serves. */
  registry: Registry;
  /** What `current()` answers, and the gauge shows, before the first decision (default: none). */
  initial?: number;
  /** Clock, epoch ms. */
  now?: () => number;
}

/** The gauge in `registry`, created on first use and shared by the pools. */
function desiredGauge(registry: Registry): Gauge<'pool'> {
  const existing = registry.getSingleMetric(DESIRED_REPLICAS_METRIC);
  if (existing instanceof Gauge) return existing as Gauge<'pool'>;
  if (existing) {
    throw new Error(`${DESIRED_REPLICAS_METRIC} is already registered, and is not a gauge`);
  }
  return new Gauge({
    name: DESIRED_REPLICAS_METRIC,
    help: 'Replicas headroom wants for an autoscaled pool (follow it with an HPA or KEDA Prometheus trigger).',
    labelNames: ['pool'],
    registers: [registry],
  });
}

/** The prometheus actuator. */
export class PrometheusActuator implements Actuator {
  /** Kind name as written in plans. */
  readonly kind = 'prometheus';
  private readonly gauge: Gauge<'pool'>;
  private readonly recorder: StatusRecorder;
  private value: number | undefined;
  private closed = false;

  constructor(private readonly options: PrometheusActuatorOptions) {
    this.gauge = desiredGauge(options.registry);
    this.recorder = new StatusRecorder(this.kind, options.pool, options.now);
    this.value = options.initial;
    if (this.value !== undefined) this.gauge.set({ pool: options.pool }, this.value);
  }

  /** The value published last (or `initial`, else 0). */
  async current(): Promise<number> {
    return this.value ?? 0;
  }

  /** Publishes `replicas` as the pool's desired replicas. */
  async scale(replicas: number, reason: string): Promise<void> {
    assertReplicas(this.kind, this.options.pool, replicas);
    if (this.closed) {
      throw new ActuatorError(
        this.kind,
        this.options.pool,
        `prometheus actuator of ${this.options.pool}: the actuator is closed`,
      );
    }
    this.gauge.set({ pool: this.options.pool }, replicas);
    this.value = replicas;
    this.recorder.scaled(replicas, reason);
  }

  /** The last change. */
  status(): ActuatorStatus {
    return this.recorder.snapshot();
  }

  /** Removes the pool's series. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.gauge.remove({ pool: this.options.pool });
  }
}
