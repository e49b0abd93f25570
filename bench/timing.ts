/**
 * Timing commands for the benches that start the CLI: the wall time of one child process, and
 * several commands run in turn, round after round, so each is measured beside the others under
 * the same load and compared by its median.
 */
import { spawnSync } from 'node:child_process';
import { nowMs } from './table.ts';

/** Wall ms of `node ARGS` in `cwd`; throws unless it exits with one of `okCodes`. */
export function spawnMs(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; okCodes?: number[] },
): number {
  const started = nowMs();
  const r = spawnSync(process.execPath, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = nowMs() - started;
  if (r.status === null || !(options.okCodes ?? [0]).includes(r.status)) {
    throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return ms;
}

/** The median of `xs`. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs each command once per round, in turn, and returns each one's median. */
export function alternating(
  commands: Record<string, () => number>,
  rounds: number,
): Record<string, number> {
  const times: Record<string, number[]> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(commands)) (times[name] ??= []).push(run());
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}
