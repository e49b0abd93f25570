/**
 * What a load-test scenario drives and judges: its weighted HTTP requests, the queue it adds
 * jobs to instead, the component resource whose capacity it measures, and its k6 thresholds
 * (parsed by `src/loadtest/thresholds.ts`, re-reported here as located plan errors).
 */
import { HeadroomError } from '../errors.ts';
import { parseThresholdSet } from '../loadtest/thresholds.ts';
import { resolveQueueTarget } from '../loadtest/queue/resolve.ts';
import type { QueueTargetSpec, RequestSpec, Threshold } from '../loadtest/types.ts';
import type { CompileContext } from './context.ts';
import type { RawLoadTestRequest, RawLoadTestScenario, RawLoadTestThresholds } from './schema.ts';
import { formatPath, type FieldPath } from './source-map.ts';
import type { Plan } from './types.ts';
import { parseDurationMs } from './units.ts';

/** k6's default deadline of one request, ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Compiles a list of requests; undefined when one of them is wrong (each error is recorded). */
export function compileRequests(
  ctx: CompileContext,
  requests: readonly RawLoadTestRequest[],
  path: FieldPath,
): RequestSpec[] | undefined {
  const out: RequestSpec[] = [];
  const seen = new Map<string, number>();
  let ok = true;
  requests.forEach((r, i) => {
    const spec = compileRequest(ctx, r, [...path, i]);
    if (!spec) {
      ok = false;
      return;
    }
    const previous = seen.get(spec.name);
    if (previous !== undefined) {
      ctx.fail(
        'PLAN_DUPLICATE',
        [...path, i, r.name === undefined ? 'url' : 'name'],
        `request "${spec.name}" is listed twice (also at ${formatPath([...path, previous])})`,
        'give each request its own `name`: summaries and `{name:…}` thresholds tell them apart by it',
      );
      ok = false;
    } else seen.set(spec.name, i);
    out.push(spec);
  });
  return ok ? out : undefined;
}

function compileRequest(
  ctx: CompileContext,
  r: RawLoadTestRequest,
  path: FieldPath,
): RequestSpec | undefined {
  const url = httpUrl(r.url);
  if (!url) {
    ctx.fail(
      'PLAN_SCHEMA',
      [...path, 'url'],
      `"${r.url}" is not an http(s) URL`,
      'write an absolute URL, e.g. "${API_URL:-http://127.0.0.1:3000}/api/tickets"',
    );
  }
  const method = (r.method ?? 'GET').toUpperCase();
  if (!METHODS.includes(method)) {
    ctx.fail(
      'PLAN_SCHEMA',
      [...path, 'method'],
      `"${r.method}" is not an HTTP method`,
      `write one of ${METHODS.join(', ')}`,
    );
  }
  const weight = r.weight ?? 1;
  if (!(weight > 0) || !Number.isFinite(weight)) {
    ctx.fail(
      'PLAN_SCHEMA',
      [...path, 'weight'],
      `weight ${weight} is not above 0`,
      'weights are relative shares, e.g. 3 and 1 send three of the first for one of the second',
    );
  }
  const expectStatus = statusPredicate(ctx, r.expect_status, [...path, 'expect_status']);
  const timeoutMs =
    r.timeout === undefined
      ? DEFAULT_REQUEST_TIMEOUT_MS
      : loadDurationMs(ctx, r.timeout, [...path, 'timeout'], { positive: true });
  if (!url || !METHODS.includes(method) || !(weight > 0) || !expectStatus || !timeoutMs) {
    return undefined;
  }
  return {
    name: r.name ?? `${method} ${url.pathname}`,
    url: url.href,
    method,
    headers: r.headers ?? {},
    body: r.body,
    weight,
    expectStatus,
    timeoutMs,
  };
}

function httpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

const STATUS_RANGE = /^\s*([1-5]\d\d)\s*-\s*([1-5]\d\d)\s*$/;

/** `expect_status: [201, "200-299"]` as a predicate; k6's default is 200-399. */
function statusPredicate(
  ctx: CompileContext,
  written: readonly (number | string)[] | undefined,
  path: FieldPath,
): ((status: number) => boolean) | undefined {
  if (written === undefined) return (s) => s >= 200 && s <= 399;
  const ranges: [number, number][] = [];
  written.forEach((entry, i) => {
    const range = typeof entry === 'string' ? STATUS_RANGE.exec(entry) : undefined;
    if (typeof entry === 'number' && entry >= 100 && entry <= 599) ranges.push([entry, entry]);
    else if (range && Number(range[1]) <= Number(range[2]))
      ranges.push([Number(range[1]), Number(range[2])]);
    else {
      ctx.fail(
        'PLAN_SCHEMA',
        [...path, i],
        `${JSON.stringify(entry)} is not an HTTP status or a range of them`,
        'write statuses such as 201, or a range such as "200-299"',
      );
    }
  });
  if (ranges.length !== written.length) return undefined;
  return (s) => ranges.some(([low, high]) => s >= low && s <= high);
}

/**
 * A duration of a load test in ms (undefined after recording an error). A bare number is
 * refused: k6 reads one as milliseconds and the plan language as seconds.
 */
export function loadDurationMs(
  ctx: CompileContext,
  text: string | number,
  path: FieldPath,
  options: { positive: boolean },
): number | undefined {
  if (typeof text === 'number') {
    ctx.fail(
      'PLAN_SCHEMA',
      path,
      `${text} has no unit`,
      `write "${text}s" for seconds or "${text}ms" for milliseconds (k6 reads a bare number as milliseconds, a plan as seconds)`,
    );
    return undefined;
  }
  const ms = parseDurationMs(text);
  if (ms === undefined) {
    ctx.duration(text, path, 0);
    return undefined;
  }
  if (options.positive && ms <= 0) {
    ctx.fail(
      'PLAN_SCHEMA',
      path,
      `"${text}" is no time at all`,
      'write a duration above 0, e.g. 1m',
    );
    return undefined;
  }
  return ms;
}

/**
 * Resolves `queue: { ref, job }` as `loadtest --queue` does (`src/loadtest/queue/resolve.ts`):
 * a worker component through its `queue:` metric, a queue metric, or the queue's own name.
 */
export function compileQueue(
  ctx: CompileContext,
  plan: Plan,
  queue: NonNullable<RawLoadTestScenario['queue']>,
  path: FieldPath,
): QueueTargetSpec | undefined {
  try {
    return resolveQueueTarget(plan, queue.ref, queue.job);
  } catch (err) {
    if (!(err instanceof HeadroomError)) throw err;
    const aboutJob = /task/.test(err.message);
    const unknown = /^"[^"]*" is no /.test(err.message);
    ctx.fail(
      unknown ? 'PLAN_REFERENCE' : 'PLAN_SCHEMA',
      [...path, aboutJob ? 'job' : 'ref'],
      err.message,
      err.hint,
    );
    return undefined;
  }
}

/** Checks `measures: api.requests`: a resource the component declares a capacity for. */
export function compileMeasures(
  ctx: CompileContext,
  text: string,
  path: FieldPath,
): { component: string; resource: string } | undefined {
  const [component, resource, ...rest] = text.split('.');
  if (!component || !resource || rest.length > 0) {
    ctx.fail(
      'PLAN_SCHEMA',
      path,
      `"${text}" is not <component>.<resource>`,
      'name the component and the resource it measures, e.g. api.requests',
    );
    return undefined;
  }
  const c = ctx.raw.components?.[component];
  if (!c) {
    ctx.unknown(path, 'component', component, Object.keys(ctx.raw.components ?? {}));
    return undefined;
  }
  const resources = capacityResources(c);
  if (!resources.includes(resource)) {
    if (resources.length === 0) {
      ctx.fail(
        'PLAN_REFERENCE',
        path,
        `component "${component}" declares no capacity`,
        `add capacity.${resource} or per_replica.${resource} to components.${component}`,
      );
    } else ctx.unknown(path, `resource of ${component}`, resource, resources);
    return undefined;
  }
  return { component, resource };
}

/** Resources a component has a capacity for (`capacity` or `per_replica`). */
export function capacityResources(c: {
  capacity?: Record<string, unknown>;
  per_replica?: Record<string, unknown>;
}): string[] {
  return [...new Set([...Object.keys(c.capacity ?? {}), ...Object.keys(c.per_replica ?? {})])];
}

/** Parses every metric's thresholds; errors become PLAN_SCHEMA at the entry they are about. */
export function compileThresholds(
  ctx: CompileContext,
  written: RawLoadTestThresholds | undefined,
  path: FieldPath,
): Threshold[] {
  const out: Threshold[] = [];
  for (const [metricKey, entries] of Object.entries(written ?? {})) {
    const source = formatPath([...path, metricKey]);
    try {
      out.push(...parseThresholdSet(metricKey, entries, source));
    } catch (err) {
      if (!(err instanceof HeadroomError)) throw err;
      const index = entryIndex(err.location.path, source);
      const at = index === undefined ? [...path, metricKey] : [...path, metricKey, index];
      const column = err.location.column === undefined ? '' : ` (column ${err.location.column})`;
      ctx.fail(
        'PLAN_SCHEMA',
        at,
        `${err.message}${column}`,
        err.hint ?? "write thresholds as k6 does, e.g. http_req_duration: ['p(95)<300']",
        index === undefined,
      );
    }
  }
  return out;
}

/** The entry index in a threshold error's path (`loadtests.thresholds.http_req_failed[1]` → 1). */
function entryIndex(errorPath: string | undefined, source: string): number | undefined {
  if (errorPath === undefined || !errorPath.startsWith(source)) return undefined;
  const m = /^\[(\d+)\]/.exec(errorPath.slice(source.length));
  return m ? Number(m[1]) : undefined;
}
