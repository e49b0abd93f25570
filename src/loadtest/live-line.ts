/**
 * The live progress line of a load test on stderr: achieved rate, p95 of the last seconds,
 * errors, iterations in flight, the executor's aim and the time left. Redrawn in place on a
 * terminal; on anything else (a CI log) one plain line every 10 s of the run; nothing when quiet.
 */
import { formatCount, round } from '../report/format.ts';
import type { LiveProgress } from './types.ts';

/** How often a non-terminal gets a line, ms. */
export const PLAIN_EVERY_MS = 10_000;

/** Where the line goes and how. */
export interface LiveLineOptions {
  /** The stream (default: process.stderr). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** No output at all. */
  quiet?: boolean;
  /** What the aim is counted in: `vus` or `rate`. */
  aimKind: 'vus' | 'rate';
}

/** A live line: `update` with each progress report, `done` before printing the summary. */
export interface LiveLine {
  /** Shows a progress report. */
  update(p: LiveProgress): void;
  /** Clears the line (terminal) so the summary starts on a clean line. */
  done(): void;
}

/** One progress report as text: `1,234/s  p95 12.3ms  errors 0.1% (3)  in flight 12  aim 1,250/s  42s left`. */
export function formatProgress(p: LiveProgress, aimKind: 'vus' | 'rate'): string {
  const errors = p.requests === 0 ? 0 : (p.failed / p.requests) * 100;
  const aim =
    aimKind === 'vus' ? `${Math.round(p.target)} VUs` : `${formatCount(round(p.target))}/s`;
  const time =
    p.totalMs === undefined
      ? `${Math.floor(p.elapsedMs / 1000)}s elapsed`
      : `${Math.max(0, Math.ceil((p.totalMs - p.elapsedMs) / 1000))}s left`;
  return [
    `${formatCount(round(p.rate))}/s`,
    `p95 ${round(p.p95 * 1000)}ms`,
    `errors ${round(errors)}% (${formatCount(p.failed)})`,
    `in flight ${formatCount(p.inFlight)}`,
    `aim ${aim}`,
    time,
  ].join('  ');
}

/** Starts a live line. */
export function liveLine(options: LiveLineOptions): LiveLine {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { update: () => {}, done: () => {} };
  const tty = stream.isTTY === true;
  let lastPlainMs = 0;
  let drawn = false;
  return {
    update(p) {
      const text = formatProgress(p, options.aimKind);
      if (tty) {
        stream.write(`\r\x1b[K${text}`);
        drawn = true;
      } else if (p.elapsedMs - lastPlainMs >= PLAIN_EVERY_MS) {
        lastPlainMs = p.elapsedMs;
        stream.write(`${text}\n`);
      }
    },
    done() {
      if (tty && drawn) stream.write('\r\x1b[K');
    },
  };
}
