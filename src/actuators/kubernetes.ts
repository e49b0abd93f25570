/**
 * The `kubernetes` actuator: sets the replicas of a Deployment or a StatefulSet through its
 * `scale` subresource, as `kubectl scale` does, with `@kubernetes/client-node`:
 *
 *   GET   /apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale     current()
 *   PATCH /apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale     scale()
 *         Content-Type: application/merge-patch+json  {"spec":{"replicas":N}}
 *
 * (`statefulsets` in place of `deployments` for a StatefulSet.) The merge patch touches nothing
 * but `spec.replicas`, so it never races with a rollout. Credentials come from the kubeconfig
 * (`KUBECONFIG`, `~/.kube/config`, or the pod's service account when headroom runs in the
 * cluster; optionally another file and context), or from an explicit `server` and bearer
 * `token` (written in the plan as `${VAR}`). The service account needs `get` and `patch` on
 * `deployments/scale` (or `statefulsets/scale`) in the namespace. Each request has a deadline
 * (default 10 s). An answer of 401, 403 or 404 fails with what to fix.
 *
 * If a HorizontalPodAutoscaler or KEDA also scales the workload, the two fight: use one or the
 * other (or the `keda-external` actuator).
 */
import {
  ApiException,
  AppsV1Api,
  KubeConfig,
  Observable,
  PatchStrategy,
  type ConfigurationOptions,
  type V1Scale,
} from '@kubernetes/client-node';
import {
  ActuatorError,
  assertReplicas,
  errorMessage,
  StatusRecorder,
  type Actuator,
  type ActuatorStatus,
} from './actuator.ts';

/** Deadline of one API request when none is given, ms. */
export const DEFAULT_KUBERNETES_TIMEOUT_MS = 10_000;
/** `fieldManager` of headroom's patches (shown in `kubectl get -o yaml --show-managed-fields`). */
export const FIELD_MANAGER = 'headroom';

/** Where the API server is and how to authenticate. */
export type KubernetesConnection =
  /** From a kubeconfig: `file` (default: the usual places) and `context` (default: current). */
  | { kind: 'kubeconfig'; file?: string; context?: string }
  /** An explicit server URL and bearer token (tests, or a token in the environment). */
  | {
      kind: 'token';
      server: string;
      token?: string;
      /** PEM file of the server's CA. */
      caFile?: string;
      /** Accept any server certificate (never in production). */
      insecureSkipTlsVerify?: boolean;
    };

/** Options of the kubernetes actuator. */
export interface KubernetesActuatorOptions {
  /** The pool it scales (`autoscale.<pool>` in the plan). */
  pool: string;
  /** The workload's namespace. */
  namespace: string;
  /** `deployment` or `statefulset`. */
  workload: 'deployment' | 'statefulset';
  /** The workload's name. */
  name: string;
  /** Credentials (default: the kubeconfig as `kubectl` finds it). */
  connection?: KubernetesConnection;
  /** Deadline of each request, ms (default 10 s). */
  timeoutMs?: number;
  /** Where the actuator is in the plan, for messages (default `autoscale.<pool>.actuator`). */
  field?: string;
  /** Clock, epoch ms. */
  now?: () => number;
}

/** The kubeconfig a connection describes. */
export function kubeConfigFor(
  connection: KubernetesConnection = { kind: 'kubeconfig' },
): KubeConfig {
  const kc = new KubeConfig();
  if (connection.kind === 'token') {
    kc.loadFromOptions({
      clusters: [
        {
          name: 'headroom',
          server: connection.server,
          skipTLSVerify: connection.insecureSkipTlsVerify ?? false,
          ...(connection.caFile ? { caFile: connection.caFile } : {}),
        },
      ],
      users: [{ name: 'headroom', ...(connection.token ? { token: connection.token } : {}) }],
      contexts: [{ name: 'headroom', cluster: 'headroom', user: 'headroom' }],
      currentContext: 'headroom',
    });
    return kc;
  }
  if (connection.file) kc.loadFromFile(connection.file);
  else kc.loadFromDefault();
  if (connection.context) kc.setCurrentContext(connection.context);
  return kc;
}

/** The kubernetes actuator. */
export class KubernetesActuator implements Actuator {
  /** Kind name as written in plans. */
  readonly kind = 'kubernetes';
  private readonly api: AppsV1Api;
  private readonly timeoutMs: number;
  private readonly field: string;
  private readonly recorder: StatusRecorder;
  private readonly what: string;
  private readonly server: string;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: KubernetesActuatorOptions) {
    this.field = options.field ?? `autoscale.${options.pool}.actuator`;
    const kc = kubeConfigFor(options.connection);
    this.server = kc.getCurrentCluster()?.server ?? 'the API server';
    this.api = kc.makeApiClient(AppsV1Api);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_KUBERNETES_TIMEOUT_MS;
    this.recorder = new StatusRecorder(this.kind, options.pool, options.now);
    this.what = `${options.workload} ${options.namespace}/${options.name}`;
  }

  /** `spec.replicas` of the workload's scale subresource. */
  async current(): Promise<number> {
    const scale = await this.call('read the scale of', (o) => {
      const request = { name: this.options.name, namespace: this.options.namespace };
      return this.options.workload === 'deployment'
        ? this.api.readNamespacedDeploymentScale(request, o)
        : this.api.readNamespacedStatefulSetScale(request, o);
    });
    return scale.spec?.replicas ?? 0;
  }

  /** Merge-patches `spec.replicas` of the scale subresource. */
  async scale(replicas: number, reason: string): Promise<void> {
    assertReplicas(this.kind, this.options.pool, replicas);
    const patch = async (): Promise<void> => {
      if (this.closed) throw this.error('the actuator is closed');
      await this.patch(replicas, reason);
    };
    // One change at a time, in the order asked.
    const next = this.queue.then(patch, patch);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The last change and failure. */
  status(): ActuatorStatus {
    return this.recorder.snapshot();
  }

  /** Waits for a change in flight; later changes are refused. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
  }

  private async patch(replicas: number, reason: string): Promise<void> {
    await this.call('scale', (o) => {
      const request = {
        name: this.options.name,
        namespace: this.options.namespace,
        body: { spec: { replicas } },
        fieldManager: FIELD_MANAGER,
      };
      return this.options.workload === 'deployment'
        ? this.api.patchNamespacedDeploymentScale(request, o)
        : this.api.patchNamespacedStatefulSetScale(request, o);
    });
    this.recorder.scaled(replicas, reason);
  }

  /** One request with a deadline and a merge-patch content type; errors made readable. */
  private async call(
    doing: string,
    send: (options: ConfigurationOptions) => Promise<V1Scale>,
  ): Promise<V1Scale> {
    const timeoutMs = this.timeoutMs;
    const options: ConfigurationOptions = {
      middleware: [
        {
          pre: (context) => {
            context.setSignal(AbortSignal.timeout(timeoutMs));
            if (context.getHttpMethod() === 'PATCH') {
              context.setHeaderParam('Content-Type', PatchStrategy.MergePatch);
            }
            return new Observable(Promise.resolve(context));
          },
          post: (context) => new Observable(Promise.resolve(context)),
        },
      ],
      middlewareMergeStrategy: 'append',
    };
    try {
      return await send(options);
    } catch (err) {
      throw this.recorder.failed(this.explain(doing, err));
    }
  }

  private explain(doing: string, err: unknown): ActuatorError {
    const base = `cannot ${doing} ${this.what}`;
    if (err instanceof ApiException) {
      const code = Number(err.code);
      const detail = statusMessage(err.body);
      const verb = doing === 'scale' ? 'patch' : 'get';
      const resource = `${this.options.workload}s/scale`;
      if (code === 404) {
        return this.error(`${base}: not found (HTTP 404)${detail ? `: ${detail}` : ''}`, {
          hint: `check ${this.field}.${this.options.workload} and ${this.field}.namespace`,
        });
      }
      if (code === 403) {
        return this.error(`${base}: forbidden (HTTP 403)${detail ? `: ${detail}` : ''}`, {
          hint: `give headroom's service account "${verb}" on ${resource} in namespace ${this.options.namespace} (a Role and RoleBinding)`,
        });
      }
      if (code === 401) {
        return this.error(`${base}: unauthorized (HTTP 401): the credentials were refused`, {
          hint: `check the token or kubeconfig in ${this.field}`,
        });
      }
      return this.error(`${base}: HTTP ${code}${detail ? `: ${detail}` : ''}`);
    }
    const e = err as { name?: string; code?: string; type?: string };
    if (e.name === 'AbortError' || e.type === 'aborted') {
      return this.error(`${base}: ${this.server} did not answer within ${this.timeoutMs / 1000}s`);
    }
    if (e.code) return this.error(`${base}: ${this.server} unreachable: ${e.code}`, { cause: err });
    return this.error(`${base}: ${errorMessage(err)}`, {
      cause: err,
      ...(/HTTP protocol is not allowed/.test(errorMessage(err))
        ? { hint: `use https://, or set ${this.field}.insecure_skip_tls_verify: true (tests only)` }
        : {}),
    });
  }

  private error(message: string, options: { hint?: string; cause?: unknown } = {}): ActuatorError {
    return new ActuatorError(
      this.kind,
      this.options.pool,
      `kubernetes actuator of ${this.options.pool}: ${message}`,
      options,
    );
  }
}

/** The `message` of a Kubernetes `Status` body, if it is one. */
function statusMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return statusMessage(JSON.parse(body));
    } catch {
      return body.trim().slice(0, 200) || undefined;
    }
  }
  if (body && typeof body === 'object' && 'message' in body) {
    const message = (body as { message: unknown }).message;
    return typeof message === 'string' ? message : undefined;
  }
  return undefined;
}
