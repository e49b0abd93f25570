/**
 * CLI start: wall time of `headroom --version` and of `check` on the local example plan (its
 * sources down: the cost is start, plan load and one collect that fails fast), compiled (dist/,
 * as `npm ci` builds it) against a bare `node -e 0` and against the same commands run from the
 * TypeScript sources through tsx — all in this run, alternating, median of several rounds.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTable, type BenchRow } from './table.ts';
import { alternating, spawnMs } from './timing.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'headroom.js');
const ROUNDS = 7;

function timeMs(args: string[], env: Record<string, string> = {}): number {
  // `check` exits 1-3 with its sources down: that is its answer, not a failure.
  const okCodes = args.includes('check') ? [0, 1, 2, 3] : [0];
  return spawnMs(args, { cwd: ROOT, env, okCodes });
}

export async function run(): Promise<string> {
  if (!existsSync(join(ROOT, 'dist', '.built'))) {
    throw new Error('cli bench: no dist/ — run `npm run build` first');
  }
  const check = [BIN, 'check', '--plan', 'examples/local.yaml', '--no-store', '--timeout', '2s'];
  const source = { HEADROOM_FROM_SOURCE: '1' };
  const t = alternating(
    {
      node: () => timeMs(['-e', '0']),
      version: () => timeMs([BIN, '--version']),
      versionSource: () => timeMs([BIN, '--version'], source),
      check: () => timeMs(check),
      checkSource: () => timeMs(check, source),
    },
    ROUNDS,
  );
  const rows: BenchRow[] = [
    {
      name: `\`headroom --version\`, compiled (baseline: \`node -e 0\`), median of ${ROUNDS}`,
      value: t.version!,
      baseline: t.node!,
      unit: 'ms',
      goal: { text: 'within 6× of node -e 0', met: t.version! <= 6 * t.node! },
    },
    {
      name: '`headroom --version`, compiled (baseline: from the sources through tsx)',
      value: t.version!,
      baseline: t.versionSource!,
      unit: 'ms',
    },
    {
      name: '`check --plan examples/local.yaml`, compiled (baseline: `node -e 0`)',
      value: t.check!,
      baseline: t.node!,
      unit: 'ms',
      goal: { text: 'under 1 s', met: t.check! < 1000 },
    },
    {
      name: '`check --plan examples/local.yaml`, compiled (baseline: from the sources through tsx)',
      value: t.check!,
      baseline: t.checkSource!,
      unit: 'ms',
    },
  ];
  return renderTable('cli: start of the compiled CLI', rows);
}
