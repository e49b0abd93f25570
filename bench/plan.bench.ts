/**
 * Plan compile at size: generated plans of 100, 1,000 and 10,000 components (as many triggers,
 * two metrics each, three tiers; `src/testing/generated-plan.ts`) compiled in this process,
 * against parsing the same text as YAML alone, and how the time grows per 10×; then the CPU
 * the compiled CLI's `validate` spends on the 1,000- and 10,000-component files (start included).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { parsePlan } from '../src/plan/load.ts';
import { generatedPlanText } from '../src/testing/generated-plan.ts';
import { renderTable, type BenchRow } from './table.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIZES = [100, 1_000, 10_000];
const GROWTH_GOAL = 12;
const CLI_GOALS_S: Record<number, number> = { 1_000: 3, 10_000: 30 };

/** CPU milliseconds (user + system) that `fn` takes in this process. */
function cpuMs(fn: () => unknown): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** Median CPU ms of `fn` over `runs` runs. */
function medianCpuMs(fn: () => unknown, runs: number): number {
  const times = Array.from({ length: runs }, () => cpuMs(fn)).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** CPU seconds a compiled `headroom validate FILE` spends, measured by the process itself. */
function validateCpuS(file: string): number {
  const script = [
    `const { main } = await import(${JSON.stringify(join(ROOT, 'dist/cli/main.js'))});`,
    `const code = await main(['node', 'headroom', 'validate', ${JSON.stringify(file)}]);`,
    'const u = process.cpuUsage();',
    'process.stderr.write(`CPU ${(u.user + u.system) / 1e6} ${code}\\n`);',
  ].join('\n');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const m = /CPU ([\d.]+) (\d+)/.exec(r.stderr);
  if (!m || m[2] !== '0') throw new Error(`validate ${file} failed: ${r.stderr.slice(-2000)}`);
  return Number(m[1]);
}

export async function run(): Promise<string> {
  if (!existsSync(join(ROOT, 'dist', '.built'))) {
    throw new Error('plan bench: no dist/ — run `npm run build` first');
  }
  const dir = mkdtempSync(join(tmpdir(), 'headroom-plan-bench-'));
  try {
    const rows: BenchRow[] = [];
    const compileMs: number[] = [];
    // Warm the unit system and mathjs once, so the smallest size measures compile, not start.
    parsePlan(generatedPlanText({ components: 10 }), 'warm.yaml');
    for (const size of SIZES) {
      const text = generatedPlanText({ components: size });
      writeFileSync(join(dir, `plan-${size}.yaml`), text);
      const runs = size >= 10_000 ? 1 : size >= 1_000 ? 3 : 7;
      const yamlMs = medianCpuMs(() => parseDocument(text, { uniqueKeys: false }), runs);
      const ms = medianCpuMs(() => parsePlan(text, `plan-${size}.yaml`), runs);
      compileMs.push(ms);
      rows.push({
        name: `compile ${size.toLocaleString('en-US')} components + triggers, CPU (baseline: YAML parse of the same text)`,
        value: ms,
        baseline: yamlMs,
        unit: 'ms',
      });
    }
    for (let i = 1; i < SIZES.length; i++) {
      const growth = compileMs[i]! / compileMs[i - 1]!;
      rows.push({
        name: `compile growth ${SIZES[i - 1]!.toLocaleString('en-US')} → ${SIZES[i]!.toLocaleString('en-US')} (baseline: the smaller plan)`,
        value: compileMs[i]!,
        baseline: compileMs[i - 1]!,
        unit: 'ms',
        goal: { text: `≤ ${GROWTH_GOAL}× per 10×`, met: growth <= GROWTH_GOAL },
      });
    }
    for (const [size, goal] of Object.entries(CLI_GOALS_S)) {
      const s = validateCpuS(join(dir, `plan-${size}.yaml`));
      rows.push({
        name: `\`headroom validate\` of ${Number(size).toLocaleString('en-US')} components, compiled CLI, CPU incl. start (baseline: the in-process compile)`,
        value: s * 1000,
        baseline: compileMs[SIZES.indexOf(Number(size))]!,
        unit: 'ms',
        goal: { text: `≤ ${goal} s of CPU`, met: s <= goal },
      });
    }
    return renderTable('plan: compile time at size', rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
