/**
 * The `host` source: this machine's CPU, memory, load, disk and uptime, read with `node:os`,
 * `/proc/meminfo` and `fs.statfs`. No options; each metric names a `field` (and `path` for
 * disk fields). Partial failures and health follow `health.ts`: a disk path that is missing
 * fails that metric only, the others are still returned.
 *
 * `cpu_utilization` is the busy share of all CPUs since the previous collect of this source;
 * the first collect (or one less than 100 ms after the previous) measures a 250 ms window.
 */
import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { closest } from 'fastest-levenshtein';
import { z } from 'zod';
import { HeadroomError } from '../errors.ts';
import {
  collectEach,
  HealthTracker,
  samplesOrThrow,
  throwIfAborted,
  type CollectResult,
  type ObservedSource,
} from './health.ts';
import { assertValidConfig } from './options.ts';
import type {
  MetricRequest,
  Sample,
  SourceConfigIssue,
  SourceContext,
  SourceHealth,
  SourceKind,
} from './source.ts';

/** Fields a host metric can read, with what each one is and its unit. */
export const HOST_FIELDS = {
  cpu_utilization: 'busy share of all CPUs since the previous collect (ratio 0..1)',
  cpus: 'number of logical CPUs (count)',
  memory_used_bytes: 'memory in use: total minus available (bytes)',
  memory_total_bytes: 'installed memory (bytes)',
  memory_utilization: 'memory in use over total (ratio 0..1)',
  load1: '1-minute load average (runnable tasks)',
  load5: '5-minute load average (runnable tasks)',
  load15: '15-minute load average (runnable tasks)',
  load_per_cpu: '1-minute load average per CPU (ratio)',
  disk_used_bytes: 'space in use on the filesystem holding `path` (bytes)',
  disk_total_bytes: 'size of the filesystem holding `path` (bytes)',
  disk_utilization: 'used over used + available to users, as `df` shows it (ratio 0..1)',
  uptime_seconds: 'time since boot (seconds)',
} as const;

/** A field name of the host source. */
export type HostField = keyof typeof HOST_FIELDS;

const FIELD_NAMES = Object.keys(HOST_FIELDS) as HostField[];
const DISK_FIELDS = new Set<string>(['disk_used_bytes', 'disk_total_bytes', 'disk_utilization']);
/** CPU window of a first collect, in ms: long enough for the kernel's 10 ms tick counters. */
const CPU_WINDOW_MS = 250;
/** Below this many ms since the previous reading the tick counters are too coarse to trust. */
const CPU_MIN_ELAPSED_MS = 100;

/** A host metric's selector: `field`, plus `path` (default `/`) for disk fields. */
const HostSelect = z.strictObject({
  field: z.string({ error: 'write `field: <name>`, e.g. `field: cpu_utilization`' }),
  path: z.string().min(1, 'path must not be empty').optional(),
});

/** Checks the host source's options (none are accepted) and one metric selector. */
export function validateHost(
  options: Record<string, unknown>,
  select?: Record<string, unknown>,
): SourceConfigIssue[] {
  const issues: SourceConfigIssue[] = Object.keys(options).map((key) => ({
    path: key,
    message: `the host source takes no options; remove "${key}"`,
  }));
  if (select === undefined) return issues;
  const parsed = HostSelect.safeParse(select);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          issues.push({
            path: key,
            message: `unknown option "${key}"; a host metric takes field and path`,
          });
        }
      } else {
        issues.push({ path: issue.path.join('.'), message: issue.message });
      }
    }
    return issues;
  }
  const { field, path } = parsed.data;
  if (!Object.hasOwn(HOST_FIELDS, field)) {
    // A prefix (`cpu_util`) says more about intent than edit distance does (`cpus`).
    const guess =
      FIELD_NAMES.find((f) => field.length > 2 && f.startsWith(field)) ??
      closest(field, FIELD_NAMES);
    issues.push({
      path: 'field',
      message: `unknown host field "${field}" (did you mean "${guess}"?); valid fields: ${FIELD_NAMES.join(', ')}`,
    });
  } else if (path !== undefined && !DISK_FIELDS.has(field)) {
    issues.push({ path: 'path', message: `path applies only to disk fields, not to "${field}"` });
  }
  return issues;
}

/** CPU tick counters summed over all CPUs, in ms, plus when they were read (monotonic ms). */
interface CpuTimes {
  busyMs: number;
  totalMs: number;
  readAtMs: number;
}

function readCpuTimes(): CpuTimes {
  let busyMs = 0;
  let totalMs = 0;
  for (const { times } of os.cpus()) {
    const total = times.user + times.nice + times.sys + times.idle + times.irq;
    totalMs += total;
    busyMs += total - times.idle;
  }
  return { busyMs, totalMs, readAtMs: performance.now() };
}

/** Available memory in bytes: MemAvailable when the kernel reports it, else os.freemem(). */
async function availableMemoryBytes(): Promise<number> {
  try {
    const text = await readFile('/proc/meminfo', 'utf8');
    const match = /^MemAvailable:\s+(\d+)\s*kB/m.exec(text);
    // MemAvailable counts reclaimable cache; freemem() does not, and overstates use.
    if (match) return Number(match[1]) * 1024;
  } catch {
    // Not Linux: fall through to what node:os knows.
  }
  return os.freemem();
}

/** The host source: one per plan source of kind `host`. */
export class HostSource implements ObservedSource {
  /** Kind name as written in plans. */
  readonly kind = 'host';
  private readonly tracker: HealthTracker;
  private previousCpu: CpuTimes | undefined;

  constructor(private readonly context: SourceContext) {
    assertValidConfig(
      'host',
      context,
      { options: (o) => validateHost(o), select: (s) => validateHost({}, s) },
      false,
    );
    this.tracker = new HealthTracker(context.now);
  }

  /** Reads every requested field now; good samples survive a failed metric. */
  async collect(signal: AbortSignal): Promise<Sample[]> {
    return samplesOrThrow(await this.collectDetailed(signal));
  }

  /** Reads every requested field now; returns good samples and per-metric failures. */
  collectDetailed(signal: AbortSignal): Promise<CollectResult> {
    return this.tracker.track(async () => {
      const what = `host source "${this.context.name}"`;
      throwIfAborted(signal, what);
      const at = this.context.now();
      const fields = new Set(this.context.metrics.map((m) => m.select.field));
      const cpu = fields.has('cpu_utilization') ? await this.cpuUtilization(signal, what) : NaN;
      const memAvailableBytes = await availableMemoryBytes();
      const result = await collectEach(this.context.metrics, async (m) => [
        {
          metric: m.name,
          labels: labelsOf(m),
          value: await this.read(m, cpu, memAvailableBytes),
          at,
        },
      ]);
      throwIfAborted(signal, what);
      return result;
    });
  }

  /** Health after the last collect. */
  health(): SourceHealth {
    return this.tracker.snapshot();
  }

  /** Nothing to release: the host source holds no connections. */
  async close(): Promise<void> {}

  private async cpuUtilization(signal: AbortSignal, what: string): Promise<number> {
    let before = this.previousCpu;
    if (before === undefined || performance.now() - before.readAtMs < CPU_MIN_ELAPSED_MS) {
      before = readCpuTimes();
      try {
        await sleep(CPU_WINDOW_MS, undefined, { signal });
      } catch {
        throwIfAborted(signal, what);
      }
    }
    const after = readCpuTimes();
    this.previousCpu = after;
    const totalMs = after.totalMs - before.totalMs;
    return totalMs > 0 ? (after.busyMs - before.busyMs) / totalMs : NaN;
  }

  private async read(m: MetricRequest, cpu: number, memAvailableBytes: number): Promise<number> {
    const field = m.select.field as HostField;
    const value = DISK_FIELDS.has(field)
      ? await diskValue(m, field)
      : hostValue(field, cpu, memAvailableBytes);
    if (!Number.isFinite(value)) {
      throw new HeadroomError(
        'SOURCE_BAD_VALUE',
        `host field "${field}" for metric "${m.name}" is not a number on this machine`,
        {
          path: `metrics.${m.name}`,
          hint: 'this platform does not report it; read the metric from another source',
        },
      );
    }
    return value;
  }
}

/** Throws SOURCE_CONFIG for the first problem with the source's options or a metric selector. */
function labelsOf(m: MetricRequest): Record<string, string> {
  return DISK_FIELDS.has(String(m.select.field)) ? { path: diskPath(m) } : {};
}

function diskPath(m: MetricRequest): string {
  return typeof m.select.path === 'string' ? m.select.path : '/';
}

function hostValue(field: HostField, cpu: number, memAvailableBytes: number): number {
  const cpus = os.cpus().length || NaN;
  const totalBytes = os.totalmem();
  const usedBytes = Math.max(0, totalBytes - memAvailableBytes);
  const [load1 = NaN, load5 = NaN, load15 = NaN] = os.loadavg();
  switch (field) {
    case 'cpu_utilization':
      return cpu;
    case 'cpus':
      return cpus;
    case 'memory_used_bytes':
      return usedBytes;
    case 'memory_total_bytes':
      return totalBytes;
    case 'memory_utilization':
      return totalBytes > 0 ? usedBytes / totalBytes : NaN;
    case 'load1':
      return load1;
    case 'load5':
      return load5;
    case 'load15':
      return load15;
    case 'load_per_cpu':
      return load1 / cpus;
    case 'uptime_seconds':
      return os.uptime();
    default:
      return NaN;
  }
}

async function diskValue(m: MetricRequest, field: HostField): Promise<number> {
  const path = diskPath(m);
  let stats;
  try {
    stats = await statfs(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new HeadroomError(
      'SOURCE_CONFIG',
      `cannot read the filesystem at "${path}" for metric "${m.name}" (${code})`,
      {
        path: `metrics.${m.name}.path`,
        hint: 'set `path` to a directory that exists on this machine, e.g. `/` or `/var/lib/postgresql`',
        cause,
      },
    );
  }
  const totalBytes = stats.blocks * stats.bsize;
  const usedBytes = (stats.blocks - stats.bfree) * stats.bsize;
  const availableBytes = stats.bavail * stats.bsize;
  if (field === 'disk_total_bytes') return totalBytes;
  if (field === 'disk_used_bytes') return usedBytes;
  // As df: blocks reserved for root count as neither used nor available to users.
  return usedBytes + availableBytes > 0 ? usedBytes / (usedBytes + availableBytes) : NaN;
}

/** The `host` source kind: no options; selector `{ field, path? }`. */
export const hostKind: SourceKind = {
  create: (context) => new HostSource(context),
  validate: validateHost,
};
