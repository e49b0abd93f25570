/**
 * `createActuator`: builds the actuator a plan's `autoscale.<pool>.actuator` entry describes,
 * after checking its fields (the plan schema only knows it has a `kind`):
 *
 *   process        argv, env, cwd, grace, output
 *   command        argv, current_argv, timeout, env, cwd
 *   kubernetes     deployment | statefulset, namespace, kubeconfig, context,
 *                  server, token, ca_file, insecure_skip_tls_verify, timeout
 *   keda-external  host, port
 *   prometheus     (no fields: needs the registry of headroom's /metrics)
 *   webhook        url, token, timeout
 *
 * A mistake throws a `HeadroomError` located at the field (`autoscale.sms-worker.actuator.argv`):
 * PLAN_UNKNOWN_FIELD for a field the kind does not take (with the nearest one), PLAN_SCHEMA
 * for the rest, each with what to write. Secrets (`token`) come from the environment through
 * the plan's `${VAR}`. Relative paths (`cwd`, `kubeconfig`, `ca_file`) are relative to
 * `deps.baseDir` (the plan's folder). docs/actuators.md documents every kind.
 */
import { isAbsolute, resolve } from 'node:path';
import { closest } from 'fastest-levenshtein';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { HeadroomError, type ErrorLocation } from '../errors.ts';
import { formatPath, type FieldPath } from '../plan/source-map.ts';
import { parseDurationMs } from '../plan/units.ts';
import type { Actuator } from './actuator.ts';
import {
  COMMAND_PLACEHOLDERS,
  CommandActuator,
  CURRENT_PLACEHOLDERS,
  templateProblem,
} from './command.ts';
import { DEFAULT_KEDA_HOST, DEFAULT_KEDA_PORT, KedaExternalActuator } from './keda-external.ts';
import { KubernetesActuator, type KubernetesConnection } from './kubernetes.ts';
import { ProcessActuator } from './process.ts';
import { PrometheusActuator } from './prometheus.ts';
import { WebhookActuator } from './webhook.ts';

/** What building an actuator may need besides its plan entry. */
export interface ActuatorDeps {
  /** The registry `/metrics` serves (the `prometheus` kind needs it). */
  registry?: Registry;
  /** Folder relative paths are resolved against (the plan's; default: the working directory). */
  baseDir?: string;
  /**
   * What `current()` answers before the first change, for the kinds that cannot read the world
   * (`command` without `current_argv`, `keda-external`, `prometheus`, `webhook`); default 0.
   */
  initialReplicas?: number;
  /** Where warnings go (a worker killed or crashed); default console.warn. */
  log?: (line: string) => void;
  /** Clock, epoch ms. */
  now?: () => number;
  /** Locates a plan field (`plan.map.locate`), so errors carry file, line and column. */
  locate?: (path: FieldPath) => ErrorLocation;
}

/** The actuator kinds this module builds. */
export const ACTUATOR_KINDS = [
  'process',
  'command',
  'kubernetes',
  'keda-external',
  'prometheus',
  'webhook',
] as const;

/** One kind's name. */
export type ActuatorKind = (typeof ACTUATOR_KINDS)[number];

const Duration = z
  .union([z.string(), z.number()], { error: 'must be a duration such as 30s, 500ms or 1m' })
  .refine((d) => (parseDurationMs(d) ?? 0) > 0, {
    error: 'must be a positive duration such as 30s, 500ms or 1m (a bare number is seconds)',
  });

const Env = z.record(
  z.string(),
  z.string({ error: 'environment values must be strings (quote them)' }),
  {
    error: 'must be a map of NAME: value',
  },
);

/** An argv template: a non-empty list of strings, with only `allowed` placeholders. */
function argv(allowed: readonly string[] | null) {
  return z
    .array(z.string({ error: 'every argument must be a string (quote numbers)' }), {
      error:
        'must be a list: the program, then its arguments, e.g. [pm2, scale, sms-worker, "{replicas}"]',
    })
    .superRefine((list, ctx) => {
      const problem = templateProblem(list, allowed);
      if (!problem) return;
      const index = /^\[(\d+)\]$/.exec(problem.path);
      ctx.addIssue({
        code: 'custom',
        message: problem.message,
        path: index ? [Number(index[1])] : [],
      });
    });
}

const Name = z.string({ error: 'must be a name' }).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
  error: 'must be a Kubernetes name: lower case letters, digits, "-" and "."',
});

const SCHEMAS = {
  process: z.strictObject({
    kind: z.literal('process'),
    argv: argv(null),
    env: Env.optional(),
    cwd: z.string().min(1).optional(),
    grace: Duration.optional(),
    output: z.enum(['inherit', 'ignore']).optional(),
  }),
  command: z.strictObject({
    kind: z.literal('command'),
    argv: argv(COMMAND_PLACEHOLDERS),
    current_argv: argv(CURRENT_PLACEHOLDERS).optional(),
    timeout: Duration.optional(),
    env: Env.optional(),
    cwd: z.string().min(1).optional(),
  }),
  kubernetes: z.strictObject({
    kind: z.literal('kubernetes'),
    deployment: Name.optional(),
    statefulset: Name.optional(),
    namespace: Name.optional(),
    kubeconfig: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
    server: z
      .string()
      .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), {
        error: 'must be the API server URL, e.g. https://10.0.0.1:6443',
      })
      .optional(),
    token: z.string().min(1, 'is empty: is its environment variable set?').optional(),
    ca_file: z.string().min(1).optional(),
    insecure_skip_tls_verify: z.boolean().optional(),
    timeout: Duration.optional(),
  }),
  'keda-external': z.strictObject({
    kind: z.literal('keda-external'),
    host: z.string().min(1).optional(),
    port: z
      .number({ error: 'must be a port number, e.g. 6000' })
      .int('must be a whole port number')
      .min(1, 'must be 1 to 65535')
      .max(65535, 'must be 1 to 65535')
      .optional(),
  }),
  prometheus: z.strictObject({ kind: z.literal('prometheus') }),
  webhook: z.strictObject({
    kind: z.literal('webhook'),
    url: z
      .string({ error: 'write the URL to POST to, e.g. url: https://deploy.example.com/scale' })
      .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), {
        error: 'must be an http:// or https:// URL',
      }),
    token: z.string().min(1, 'is empty: is its environment variable set?').optional(),
    timeout: Duration.optional(),
  }),
} as const;

/** Builds the actuator of `autoscale.<pool>.actuator`; throws a located `HeadroomError`. */
export function createActuator(
  pool: string,
  config: Record<string, unknown>,
  deps: ActuatorDeps = {},
): Actuator {
  const at = (path: FieldPath): FieldPath => ['autoscale', pool, 'actuator', ...path];
  const fail = (
    path: FieldPath,
    message: string,
    hint: string,
    code: 'PLAN_SCHEMA' | 'PLAN_UNKNOWN_FIELD' = 'PLAN_SCHEMA',
  ): never => {
    const full = at(path);
    throw new HeadroomError(code, `${formatPath(full)}: ${message}`, {
      ...deps.locate?.(full),
      path: formatPath(full),
      hint,
    });
  };
  const kind = config.kind;
  if (typeof kind !== 'string' || !(ACTUATOR_KINDS as readonly string[]).includes(kind)) {
    const guess = typeof kind === 'string' ? closest(kind, [...ACTUATOR_KINDS]) : undefined;
    fail(
      ['kind'],
      typeof kind === 'string' ? `unknown actuator kind "${kind}"` : 'missing actuator kind',
      `${guess ? `did you mean "${guess}"? ` : ''}kinds: ${ACTUATOR_KINDS.join(', ')} (see docs/actuators.md)`,
    );
  }
  const k = kind as ActuatorKind;
  const docs = `see the "${k}" actuator in docs/actuators.md`;
  const parsed = SCHEMAS[k].safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0]!;
      const fields = Object.keys(SCHEMAS[k].shape).filter((f) => f !== 'kind');
      const hint = fields.length
        ? `did you mean "${closest(key, fields)}"? A ${k} actuator takes ${fields.join(', ')}`
        : `a ${k} actuator takes no fields besides kind`;
      fail([key], `unknown field "${key}"`, hint, 'PLAN_UNKNOWN_FIELD');
    }
    fail(issue.path as FieldPath, issue.message, docs);
  }
  const ms = (value: string | number | undefined): number | undefined =>
    value === undefined ? undefined : parseDurationMs(value);
  const path = (p: string | undefined): string | undefined =>
    p === undefined || isAbsolute(p) ? p : resolve(deps.baseDir ?? process.cwd(), p);
  const common = {
    pool,
    field: formatPath(at([])),
    ...(deps.now ? { now: deps.now } : {}),
  };
  const initial = deps.initialReplicas;

  switch (k) {
    case 'process': {
      const c = parsed.data as z.infer<(typeof SCHEMAS)['process']>;
      return new ProcessActuator({
        ...common,
        argv: c.argv,
        ...(c.env ? { env: c.env } : {}),
        ...(c.cwd ? { cwd: path(c.cwd) } : {}),
        ...(c.grace !== undefined ? { graceMs: ms(c.grace) } : {}),
        ...(c.output ? { output: c.output } : {}),
        ...(deps.log ? { log: deps.log } : {}),
      });
    }
    case 'command': {
      const c = parsed.data as z.infer<(typeof SCHEMAS)['command']>;
      return new CommandActuator({
        ...common,
        argv: c.argv,
        ...(c.current_argv ? { currentArgv: c.current_argv } : {}),
        ...(c.timeout !== undefined ? { timeoutMs: ms(c.timeout) } : {}),
        ...(c.env ? { env: c.env } : {}),
        ...(c.cwd ? { cwd: path(c.cwd) } : {}),
        ...(initial !== undefined ? { initial } : {}),
      });
    }
    case 'kubernetes': {
      const c = parsed.data as z.infer<(typeof SCHEMAS)['kubernetes']>;
      if ((c.deployment === undefined) === (c.statefulset === undefined)) {
        fail(
          c.deployment === undefined ? [] : ['statefulset'],
          c.deployment === undefined
            ? 'name the workload: deployment: <name> or statefulset: <name>'
            : 'write deployment or statefulset, not both',
          docs,
        );
      }
      if (c.server !== undefined && (c.kubeconfig !== undefined || c.context !== undefined)) {
        fail(['server'], 'write server (and token) or kubeconfig/context, not both', docs);
      }
      for (const f of ['token', 'ca_file', 'insecure_skip_tls_verify'] as const) {
        if (c[f] !== undefined && c.server === undefined) {
          fail([f], `${f} goes with server`, 'add server: https://…, or use kubeconfig');
        }
      }
      const connection: KubernetesConnection =
        c.server !== undefined
          ? {
              kind: 'token',
              server: c.server,
              ...(c.token ? { token: c.token } : {}),
              ...(c.ca_file ? { caFile: path(c.ca_file) } : {}),
              ...(c.insecure_skip_tls_verify !== undefined
                ? { insecureSkipTlsVerify: c.insecure_skip_tls_verify }
                : {}),
            }
          : {
              kind: 'kubeconfig',
              ...(c.kubeconfig ? { file: path(c.kubeconfig) } : {}),
              ...(c.context ? { context: c.context } : {}),
            };
      try {
        return new KubernetesActuator({
          ...common,
          namespace: c.namespace ?? 'default',
          workload: c.deployment !== undefined ? 'deployment' : 'statefulset',
          name: (c.deployment ?? c.statefulset)!,
          connection,
          ...(c.timeout !== undefined ? { timeoutMs: ms(c.timeout) } : {}),
        });
      } catch (err) {
        // The kubeconfig could not be read, or has no such context.
        return fail(
          c.kubeconfig !== undefined ? ['kubeconfig'] : c.context !== undefined ? ['context'] : [],
          `cannot load the Kubernetes configuration: ${(err as Error).message}`,
          'check the kubeconfig file and context (`kubectl config get-contexts`)',
        );
      }
    }
    case 'keda-external': {
      const c = parsed.data as z.infer<(typeof SCHEMAS)['keda-external']>;
      return new KedaExternalActuator({
        pool,
        host: c.host ?? DEFAULT_KEDA_HOST,
        port: c.port ?? DEFAULT_KEDA_PORT,
        ...(initial !== undefined ? { initial } : {}),
        ...(deps.now ? { now: deps.now } : {}),
      });
    }
    case 'prometheus': {
      if (!deps.registry) {
        fail(
          ['kind'],
          'the prometheus actuator publishes on /metrics, which only `headroom serve` has',
          'run headroom serve, or choose another kind',
        );
      }
      return new PrometheusActuator({
        pool,
        registry: deps.registry!,
        ...(initial !== undefined ? { initial } : {}),
        ...(deps.now ? { now: deps.now } : {}),
      });
    }
    case 'webhook': {
      const c = parsed.data as z.infer<(typeof SCHEMAS)['webhook']>;
      return new WebhookActuator({
        pool,
        url: c.url,
        ...(c.token ? { token: c.token } : {}),
        ...(c.timeout !== undefined ? { timeoutMs: ms(c.timeout) } : {}),
        ...(initial !== undefined ? { initial } : {}),
        ...(deps.now ? { now: deps.now } : {}),
      });
    }
  }
}
