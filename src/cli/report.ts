/**
 * `headroom report --plan F [--out FILE] [--json]` — regenerates the roadmap with live numbers:
 * capacity, triggers and their forecasts, tiers and the next step, breaking points, costs,
 * scenarios and checklist progress (load-test items ticked by the runs in the store), dated.
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { HeadroomError } from '../errors.ts';
import type { LoadTestRunRecord } from '../loadtest/types.ts';
import { loadPlan } from '../plan/load.ts';
import type { Plan } from '../plan/types.ts';
import { loadTestRuns } from '../report/loadtest-runs.ts';
import { roadmapData } from '../report/roadmap-data.ts';
import { renderRoadmap } from '../report/roadmap-markdown.ts';
import { addLiveOptions, loadLive, type LiveOptions } from './live.ts';
import { parseDurationOption } from './options.ts';
import { printJson } from './output.ts';
import { openSqliteStore } from '../store/sqlite.ts';

/** Registers `report`. */
export function registerReport(program: Command): void {
  const command = program
    .command('report')
    .description('regenerate the roadmap as Markdown with live numbers')
    .requiredOption('--plan <file>', 'plan file')
    .option('--horizon <duration>', 'how far ahead to project', '2y')
    .option('--out <file>', 'write the Markdown to a file instead of stdout')
    .option('--json', 'print the report as one JSON document');
  addLiveOptions(command).action(
    async (
      options: LiveOptions & { plan: string; horizon: string; out?: string; json?: boolean },
    ) => {
      const plan = loadPlan(options.plan);
      const horizonMs = parseDurationOption(options.horizon, '--horizon');
      const live = await loadLive(plan, { ...options, quiet: options.json });
      const runs = await storedRuns(plan, options.store);
      if (runs.error) live.data.sourceErrors.push(`store: ${runs.error}`);
      const roadmap = roadmapData(live.model, live.statuses, {
        producedAt: Date.now(),
        horizonMs,
        source: live.data,
        loadTests: runs.runs,
      });
      if (options.json) {
        printJson(roadmap);
        return;
      }
      const markdown = renderRoadmap(roadmap);
      if (!options.out) {
        process.stdout.write(markdown);
        return;
      }
      try {
        writeFileSync(options.out, markdown);
      } catch (err) {
        throw new HeadroomError('USAGE', `cannot write ${options.out}: ${(err as Error).message}`, {
          hint: 'check that the folder exists and is writable',
        });
      }
      process.stderr.write(`wrote ${options.out}\n`);
    },
  );
}

/**
 * The load-test runs the store holds, for the checklist. A store that does not exist yet has
 * none (and is not created); one that cannot be read is reported, and the checklist goes on
 * from the plan alone.
 */
async function storedRuns(
  plan: Plan,
  path: string | false,
): Promise<{ runs: Record<string, LoadTestRunRecord>; error?: string }> {
  if (!path || !existsSync(path)) return { runs: {} };
  try {
    const store = await openSqliteStore({ path });
    try {
      return { runs: await loadTestRuns(store, plan) };
    } finally {
      await store.close();
    }
  } catch (err) {
    return { runs: {}, error: (err as Error).message };
  }
}
