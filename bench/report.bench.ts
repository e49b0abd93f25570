/**
 * Report and rebuild at size. `headroom report` on the IRISX example, compiled, against a bare
 * `node -e 0` in the same rounds. Then the live roadmap rebuild as `serve` runs it — in its
 * worker thread, compiled, over a SQLite store — for generated plans of 100 and 1,000 components
 * (`src/testing/generated-plan.ts`) with 30 days of hourly history for every metric
 * (`src/testing/generated-history.ts`): the first rebuild (thread start, plan compile and every
 * forecast's model choice included); the rebuild a minute later with one more scrape stored,
 * which `serve` runs every minute (model choices kept, `forecast/choice-memory.ts`); the one a
 * day later (26 hours), when every choice falls due and the rebuild makes a tenth of them again; how the minute-later one grows per 10×; and the
 * longest stall of this event loop while the thread works.
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
  /** A minute later, one more scrape stored. */
  steadyMs: number;
  /** A day later, a day more of scrapes stored: every model choice due, a tenth made again. */
  dayLaterMs: number;
  stallMs: number;
}

const HOUR_MS = 3_600_000;

/** Writes the history of a generated plan from `origin` over [from, to], progress on stderr. */
async function seedStore(
  store: SqliteModule.SqliteStore,
  components: number,
  span: { origin: number; from: number; to: number; stepMs: number },
): Promise<void> {
  let written = 0;
  for (const batch of generatedHistory({ components, ...span })) {
    await store.append(batch);
    if (++written % 120 === 0) process.stderr.write(`  ${components}: ${written} scrapes\r`);
  }
}

/** Three rebuilds in the roadmap thread (see the module), the second watched for stalls. */
async function rebuild(dir: string, components: number): Promise<Rebuild> {
  const at = Date.UTC(2026, 10, 1);
  const origin = at - 30 * DAY_MS;
  const storePath = join(dir, `store-${components}.db`);
  const { parsePlan } = await compiled<typeof LoadModule>('plan/load.js');
  const { openSqliteStore } = await compiled<typeof SqliteModule>('store/sqlite.js');
  const { RoadmapThread } = await compiled<typeof ThreadModule>('runtime/roadmap-thread.js');
  const plan = parsePlan(generatedPlanText({ components }), `generated-${components}.yaml`);
  const store = await openSqliteStore({ path: storePath });
  await seedStore(store, components, { origin, from: origin, to: at, stepMs: HOUR_MS });
  const thread = new RoadmapThread(plan, store);
  if (!thread.threaded) throw new Error('report bench: the rebuild would not run in its thread');
  const request = (time: number): RoadmapRequest => ({
    at: time,
    collected: { samples: [], failures: {}, sources: {} },
    statuses: [],
    windowMs: 30 * DAY_MS,
    horizonMs: 730 * DAY_MS,
    producedAt: time,
  });
  const timed = async (time: number): Promise<number> => {
    const started = nowMs();
    const roadmap = await thread.build(request(time));
    if (roadmap.breakingPoints.length === 0) throw new Error('report bench: no breaking points');
    return nowMs() - started;
  };
  try {
    const firstMs = await timed(at);
    const minute = at + 60_000;
    await seedStore(store, components, { origin, from: minute, to: minute, stepMs: HOUR_MS });
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const steadyMs = await timed(minute);
    loop.disable();
    // A day and two hours: the grid of the window may end an hour short of its last scrape.
    const day = minute + DAY_MS + 2 * HOUR_MS;
    await seedStore(store, components, {
      origin,
      from: minute + HOUR_MS,
      to: day,
      stepMs: HOUR_MS,
    });
    const dayLaterMs = await timed(day);
    return { firstMs, steadyMs, dayLaterMs, stallMs: loop.max / 1e6 };
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
          name: `rebuild of ${name} in its thread a minute later, one more scrape, model choices kept (baseline: the first, thread start, compile and every model choice included)`,
          value: r.steadyMs,
          baseline: r.firstMs,
          unit: 'ms',
          ...(size === 1_000
            ? { goal: { text: 'under 10 s', met: r.steadyMs < REBUILD_GOAL_MS } }
            : {}),
        },
        {
          name: `rebuild of ${name} a day later, when every model choice falls due and a tenth are made again (baseline: a minute later)`,
          value: r.dayLaterMs,
          baseline: r.steadyMs,
          unit: 'ms',
          ...(size === 1_000
            ? { goal: { text: 'under 10 s', met: r.dayLaterMs < REBUILD_GOAL_MS } }
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
      name: 'growth of the minute-later rebuild 100 → 1,000 components (baseline: the smaller plan)',
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
