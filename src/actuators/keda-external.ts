/**
 * The `keda-external` actuator: headroom serves KEDA's external scaler gRPC protocol
 * (`externalscaler.proto`, beside this file), so KEDA in a cluster carries out headroom's
 * decisions. `scale(n)` only records n as the pool's desired replicas; KEDA asks for it:
 *
 * - `GetMetricSpec` answers one metric, `headroom-<pool>`, with target 1 (`targetSize` and
 *   `targetSizeFloat`);
 * - `GetMetrics` answers its value: the desired replicas (`metricValue`, `metricValueFloat`).
 *   With KEDA's default `AverageValue` metric type the HPA computes ceil(value / target) =
 *   exactly the desired replicas (within the HPA's 10 % tolerance, and KEDA's min/max);
 * - `IsActive` is desired > 0 (KEDA scales to zero, or to `minReplicaCount`, when it is false);
 * - `StreamIsActive` (the `external-push` trigger) sends the state at once and again on every
 *   change of the desired replicas.
 *
 * Which pool a ScaledObject means comes from its trigger metadata, `pool: <autoscale entry>`
 * (KEDA passes the trigger's metadata as `scalerMetadata`). No `pool` is INVALID_ARGUMENT, an
 * unknown pool NOT_FOUND, and a pool headroom has not decided for yet UNAVAILABLE (KEDA then
 * keeps the replicas, or applies its `fallback`). One server per address serves every pool
 * that names it; it listens on 127.0.0.1:6000 unless the plan says otherwise (in a pod, listen
 * on 0.0.0.0 and put a Service in front). The traffic is plain gRPC: keep it inside the
 * cluster network.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import {
  ActuatorError,
  assertReplicas,
  errorMessage,
  StatusRecorder,
  type Actuator,
  type ActuatorStatus,
} from './actuator.ts';

/** Address KEDA connects to when the plan does not say. */
export const DEFAULT_KEDA_HOST = '127.0.0.1';
export const DEFAULT_KEDA_PORT = 6000;
/** Path of the protocol definition. */
export const EXTERNAL_SCALER_PROTO = fileURLToPath(
  new URL('./externalscaler.proto', import.meta.url),
);

/** The metric name KEDA sees for a pool. */
export function kedaMetricName(pool: string): string {
  return `headroom-${pool}`;
}

/** `ScaledObjectRef`: which ScaledObject is asking, and its trigger's metadata. */
export interface ScaledObjectRef {
  name: string;
  namespace: string;
  scalerMetadata: Record<string, string>;
}

/** `GetMetricsRequest`. */
export interface GetMetricsRequest {
  scaledObjectRef: ScaledObjectRef | null;
  metricName: string;
}

/** `IsActiveResponse`. */
export interface IsActiveResponse {
  result: boolean;
}

/** `GetMetricSpecResponse`. */
export interface GetMetricSpecResponse {
  metricSpecs: { metricName: string; targetSize: number; targetSizeFloat: number }[];
}

/** `GetMetricsResponse`. */
export interface GetMetricsResponse {
  metricValues: { metricName: string; metricValue: number; metricValueFloat: number }[];
}

/** Options of proto-loader that give the message shapes above (int64 as numbers). */
export const PROTO_LOADER_OPTIONS = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
} as const;

/** The `ExternalScaler` service definition, loaded from the proto. */
export function externalScalerService(): grpc.ServiceDefinition {
  const root = grpc.loadPackageDefinition(loadSync(EXTERNAL_SCALER_PROTO, PROTO_LOADER_OPTIONS));
  const ns = root.externalscaler as grpc.GrpcObject;
  return (ns.ExternalScaler as grpc.ServiceClientConstructor).service;
}

/** A gRPC error with its status code. */
function grpcError(code: grpc.status, details: string): Partial<grpc.ServiceError> {
  return Object.assign(new Error(details), { code, details });
}

/** The server for one address: serves every pool registered with it. */
export class KedaExternalScalerServer {
  private readonly server = new grpc.Server();
  private readonly desired = new Map<string, number | undefined>();
  private readonly streams = new Map<
    string,
    Set<grpc.ServerWritableStream<ScaledObjectRef, IsActiveResponse>>
  >();
  /** Resolves to the bound port; rejects when the address cannot be bound. */
  readonly ready: Promise<number>;
  private closing: Promise<void> | undefined;

  constructor(
    readonly host: string,
    port: number,
  ) {
    const isActive: grpc.handleUnaryCall<ScaledObjectRef, IsActiveResponse> = (call, done) =>
      this.answer(call.request, done, (_, d) => ({ result: d > 0 }));
    const streamIsActive: grpc.handleServerStreamingCall<ScaledObjectRef, IsActiveResponse> = (
      call,
    ) => this.subscribe(call);
    const getMetricSpec: grpc.handleUnaryCall<ScaledObjectRef, GetMetricSpecResponse> = (
      call,
      done,
    ) => {
      const pool = this.poolOf(call.request);
      if (typeof pool !== 'string') return done(pool);
      done(null, {
        metricSpecs: [{ metricName: kedaMetricName(pool), targetSize: 1, targetSizeFloat: 1 }],
      });
    };
    const getMetrics: grpc.handleUnaryCall<GetMetricsRequest, GetMetricsResponse> = (
      call,
      done,
    ) => {
      const ref = call.request.scaledObjectRef ?? { name: '', namespace: '', scalerMetadata: {} };
      // KEDA strips its `s<index>-` prefix before asking; accept it either way.
      const asked = call.request.metricName.replace(/^s\d+-/, '');
      const pool = this.poolOf(ref);
      if (typeof pool === 'string' && asked !== '' && asked !== kedaMetricName(pool)) {
        return done(
          grpcError(
            grpc.status.NOT_FOUND,
            `headroom serves metric "${kedaMetricName(pool)}" for pool ${pool}, not "${call.request.metricName}"`,
          ),
        );
      }
      this.answer(ref, done, (p, d) => ({
        metricValues: [{ metricName: kedaMetricName(p), metricValue: d, metricValueFloat: d }],
      }));
    };
    this.server.addService(externalScalerService(), {
      IsActive: isActive,
      StreamIsActive: streamIsActive,
      GetMetricSpec: getMetricSpec,
      GetMetrics: getMetrics,
    });
    this.ready = new Promise((resolve, reject) => {
      const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
      this.server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) =>
        err ? reject(err) : resolve(bound),
      );
    });
    this.ready.catch(() => undefined);
  }

  /** Makes `pool` known (no decision yet). */
  register(pool: string): void {
    if (!this.desired.has(pool)) this.desired.set(pool, undefined);
  }

  /** Forgets `pool`; ends its streams. Returns how many pools are left. */
  unregister(pool: string): number {
    this.desired.delete(pool);
    for (const call of this.streams.get(pool) ?? []) call.end();
    this.streams.delete(pool);
    return this.desired.size;
  }

  /** Records the desired replicas of `pool` and pushes them to its streams. */
  setDesired(pool: string, replicas: number): void {
    this.desired.set(pool, replicas);
    for (const call of this.streams.get(pool) ?? []) call.write({ result: replicas > 0 });
  }

  /** The desired replicas of `pool`, if decided. */
  desiredOf(pool: string): number | undefined {
    return this.desired.get(pool);
  }

  /** Stops serving: open streams end, calls in progress get a moment to finish. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const set of this.streams.values()) for (const call of set) call.end();
      this.streams.clear();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          this.server.forceShutdown();
          resolve();
        }, 2000);
        this.server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    })();
    return this.closing;
  }

  /** The pool a ScaledObject names, or the gRPC error to answer. */
  private poolOf(ref: ScaledObjectRef): string | Partial<grpc.ServiceError> {
    const who = `ScaledObject ${ref.namespace || '?'}/${ref.name || '?'}`;
    const pool = ref.scalerMetadata?.pool;
    if (!pool) {
      return grpcError(
        grpc.status.INVALID_ARGUMENT,
        `${who}: its trigger metadata has no "pool"; add pool: <the autoscale entry's name>`,
      );
    }
    if (!this.desired.has(pool)) {
      const known = [...this.desired.keys()].sort();
      return grpcError(
        grpc.status.NOT_FOUND,
        `${who}: headroom has no keda-external pool "${pool}"${known.length ? `; it serves ${known.join(', ')}` : ''}`,
      );
    }
    return pool;
  }

  private answer<T>(
    ref: ScaledObjectRef,
    done: grpc.sendUnaryData<T>,
    reply: (pool: string, desired: number) => T,
  ): void {
    const pool = this.poolOf(ref);
    if (typeof pool !== 'string') return done(pool);
    const desired = this.desired.get(pool);
    if (desired === undefined) {
      return done(
        grpcError(grpc.status.UNAVAILABLE, `headroom has not decided for pool ${pool} yet`),
      );
    }
    done(null, reply(pool, desired));
  }

  private subscribe(call: grpc.ServerWritableStream<ScaledObjectRef, IsActiveResponse>): void {
    const pool = this.poolOf(call.request);
    if (typeof pool !== 'string') {
      // grpc-js turns an 'error' on a server stream into the call's status.
      call.emit('error', pool);
      return;
    }
    let set = this.streams.get(pool);
    if (!set) this.streams.set(pool, (set = new Set()));
    set.add(call);
    const drop = (): void => {
      set.delete(call);
    };
    call.on('cancelled', drop);
    call.on('close', drop);
    call.on('error', drop);
    const desired = this.desired.get(pool);
    if (desired !== undefined) call.write({ result: desired > 0 });
  }
}

/** Servers by address, shared by the pools that listen on the same one. */
const servers = new Map<string, KedaExternalScalerServer>();

/** The server for `host:port`, started on first use. */
export function kedaServerFor(host: string, port: number): KedaExternalScalerServer {
  const key = `${host}:${port}`;
  let server = servers.get(key);
  if (!server) {
    server = new KedaExternalScalerServer(host, port);
    servers.set(key, server);
  }
  return server;
}

/** Options of the keda-external actuator. */
export interface KedaExternalActuatorOptions {
  /** The pool it scales (`autoscale.<pool>` in the plan; ScaledObjects name it as `pool`). */
  pool: string;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port to listen on (default 6000; 0 picks a free one, for tests). */
  port?: number;
  /** What `current()` answers before the first decision (default 0). */
  initial?: number;
  /** Clock, epoch ms. */
  now?: () => number;
}

/** The keda-external actuator: one pool on a (shared) external scaler server. */
export class KedaExternalActuator implements Actuator {
  /** Kind name as written in plans. */
  readonly kind = 'keda-external';
  private readonly server: KedaExternalScalerServer;
  private readonly recorder: StatusRecorder;
  private closed = false;

  constructor(private readonly options: KedaExternalActuatorOptions) {
    const host = options.host ?? DEFAULT_KEDA_HOST;
    const port = options.port ?? DEFAULT_KEDA_PORT;
    // Port 0 asks for a free port: such a server is never shared.
    this.server = port === 0 ? new KedaExternalScalerServer(host, 0) : kedaServerFor(host, port);
    this.server.register(options.pool);
    this.recorder = new StatusRecorder(this.kind, options.pool, options.now);
  }

  /** The bound address, `host:port`, once listening. */
  async address(): Promise<string> {
    const port = await this.listening();
    return `${this.server.host}:${port}`;
  }

  /** The desired replicas recorded last (KEDA cannot be asked what it runs). */
  async current(): Promise<number> {
    await this.listening();
    return this.server.desiredOf(this.options.pool) ?? this.options.initial ?? 0;
  }

  /** Records the desired replicas for KEDA to read, and pushes them to open streams. */
  async scale(replicas: number, reason: string): Promise<void> {
    assertReplicas(this.kind, this.options.pool, replicas);
    if (this.closed) throw this.error('the actuator is closed');
    await this.listening();
    this.server.setDesired(this.options.pool, replicas);
    this.recorder.scaled(replicas, reason);
  }

  /** The last change and failure. */
  status(): ActuatorStatus {
    return this.recorder.snapshot();
  }

  /** Leaves the server; the last pool to leave stops it. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.server.unregister(this.options.pool) > 0) return;
    const key = `${this.server.host}:${this.options.port ?? DEFAULT_KEDA_PORT}`;
    if (servers.get(key) === this.server) servers.delete(key);
    await this.server.close();
  }

  private async listening(): Promise<number> {
    try {
      return await this.server.ready;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const where = `${this.server.host}:${this.options.port ?? DEFAULT_KEDA_PORT}`;
      throw this.recorder.failed(
        this.error(`cannot listen on ${where}: ${code ?? errorMessage(err)}`, {
          hint: `choose another port in autoscale.${this.options.pool}.actuator.port`,
        }),
      );
    }
  }

  private error(message: string, options: { hint?: string } = {}): ActuatorError {
    return new ActuatorError(
      this.kind,
      this.options.pool,
      `keda-external actuator of ${this.options.pool}: ${message}`,
      options,
    );
  }
}
