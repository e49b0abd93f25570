/**
 * Report and rebuild at size. `headroom report` on the IRISX example, compiled, against a bare
 * `node -e 0` in the same rounds. Then the live roadmap rebuild as `serve` runs it — in its
 * worker thread, compiled, over a SQLite store — for generated plans of 100 and 1,000 components
 * (`src/testing/generated-plan.ts`) with 30 days of hourly history for every metric
 * (`src/testing/generated-history.ts`): the first rebuild (thread start and plan compile
 * included), the steady one, how it grows per 10×, and the longest stall of this event loop
 * while the thread works.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { RoadmapRequest } from '../src/runtime/roadmap-build.ts';
import type * as ThreadModule from '../src/runtime/roadmap-thread.ts';
import type * as LoadModule from '../src/plan/load.ts';
import type * as SqliteModule from '../src/store/sqlite.ts';
import { generatedHistory } from '../src/testing/generated-history.ts';
import { generatedPlanText } from '../src/testing/generated-plan.ts';
import { nowMs, renderTable, type BenchRow } from './table.ts';
import { alternating, spawnMs } from './timing.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'headroom.js');
const DAY_MS = 86_400_000;
const SIZES = [100, 1_000];
const REPORT_GOAL_MS = 1_000;
const REBUILD_GOAL_MS = 10_000;
const GROWTH_GOAL = 12;
const STALL_GOAL_MS = 100;

/** A module of the compiled tree (`dist/`), typed as its source. */
async function compiled<T>(path: string): Promise<T> {
  return (await import(pathToFileURL(join(ROOT, 'dist', path)).href)) as T;
}

interface Rebuild {
  firstMs: number;
  steadyMs: number;
  stallMs: number;
}

/** Writes the history of a generated plan into a fresh store, with progress on stderr. */
async function seedStore(path: string, components: number, at: number): Promise<void> {
  const { openSqliteStore } = await import('../src/store/sqlite.ts');
  const store = await openSqliteStore({ path });
  const from = at - 30 * DAY_MS;
  let written = 0;
  for (const batch of generatedHistory({ components, from, to: at, stepMs: 3_600_000 })) {
    await store.append(batch);
    if (++written % 120 === 0) process.stderr.write(`  ${components}: ${written / 24} days\r`);
  }
  await store.close();
}

/** Two rebuilds in the roadmap thread, the second watched for stalls of this event loop. */
async function rebuild(dir: string, components: number): Promise<Rebuild> {
  const at = Date.UTC(2026, 10, 1);
  const storePath = join(dir, `store-${components}.db`);
  await seedStore(storePath, components, at);
  const { parsePlan } = await compiled<typeof LoadModule>('plan/load.js');
  const { openSqliteStore } = await compiled<typeof SqliteModule>('store/sqlite.js');
  const { RoadmapThread } = await compiled<typeof ThreadModule>('runtime/roadmap-thread.js');
  const plan = parsePlan(generatedPlanText({ components }), `generated-${components}.yaml`);
  const store = await openSqliteStore({ path: storePath });
  const thread = new RoadmapThread(plan, store);
  if (!thread.threaded) throw new Error('report bench: the rebuild would not run in its thread');
  const request: RoadmapRequest = {
    at,
    collected: { samples: [], failures: {}, sources: {} },
    statuses: [],
    windowMs: 30 * DAY_MS,
    horizonMs: 730 * DAY_MS,
    producedAt: at,
  };
  try {
    let started = nowMs();
    const first = await thread.build(request);
    const firstMs = nowMs() - started;
    if (first.breakingPoints.length === 0) throw new Error('report bench: no breaking points');
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    started = nowMs();
    await thread.build(request);
    const steadyMs = nowMs() - started;
    loop.disable();
    return { firstMs, steadyMs, stallMs: loop.max / 1e6 };
  } finally {
    await thread.close();
    await store.close();
  }
}

export async function run(): Promise<string> {
  if (!existsSync(join(ROOT, 'dist', '.built'))) {
    throw new Error('report bench: no dist/ — run `npm run build` first');
  }
  const t = alternating(
    {
      node: () => spawnMs(['-e', '0'], { cwd: ROOT }),
      report: () => spawnMs([BIN, 'report', '--plan', 'examples/irisx.yaml'], { cwd: ROOT }),
    },
    5,
  );
  const rows: BenchRow[] = [
    {
      name: '`report --plan examples/irisx.yaml`, compiled, wall incl. start (baseline: `node -e 0`), median of 5',
      value: t.report!,
      baseline: t.node!,
      unit: 'ms',
      goal: { text: 'under 1 s', met: t.report! < REPORT_GOAL_MS },
    },
  ];
  const dir = mkdtempSync(join(tmpdir(), 'headroom-report-bench-'));
  try {
    const runs: Rebuild[] = [];
    for (const size of SIZES) {
      const r = await rebuild(dir, size);
      runs.push(r);
      const name = `${size.toLocaleString('en-US')} components`;
      rows.push(
        {
          name: `rebuild of ${name} in its thread, steady (baseline: the first, thread start and compile included)`,
          value: r.steadyMs,
          baseline: r.firstMs,
          unit: 'ms',
          ...(size === 1_000
            ? { goal: { text: 'under 10 s', met: r.steadyMs < REBUILD_GOAL_MS } }
            : {}),
        },
        {
          name: `longest event-loop stall during the ${name} rebuild (baseline: the rebuild)`,
          value: r.stallMs,
          baseline: r.steadyMs,
          unit: 'ms',
          goal: { text: `≤ ${STALL_GOAL_MS} ms`, met: r.stallMs <= STALL_GOAL_MS },
        },
      );
    }
    const growth = runs[1]!.steadyMs / runs[0]!.steadyMs;
    rows.push({
      name: 'rebuild growth 100 → 1,000 components (baseline: the smaller plan)',
      value: runs[1]!.steadyMs,
      baseline: runs[0]!.steadyMs,
      unit: 'ms',
      goal: { text: `≤ ${GROWTH_GOAL}× per 10×`, met: growth <= GROWTH_GOAL },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return renderTable('report: report and roadmap rebuild at size', rows);
}
