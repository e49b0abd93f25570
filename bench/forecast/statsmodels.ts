/**
 * Runs `statsmodels_ets.py` once per bench run under Debian's `/usr/bin/python3` (the first
 * `python3` on PATH may be another one without statsmodels): every split goes in as one JSON job
 * list on stdin, every forecast comes back as JSON on stdout. Never throws: a missing Python or
 * statsmodels, or a crash, comes back as `{ ok: false, reason }`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Split } from './metrics.ts';

/** The interpreter that has python3-statsmodels. */
export const DEBIAN_PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./statsmodels_ets.py', import.meta.url));
/** Simulated paths behind statsmodels' interval. */
const REPETITIONS = 500;

/** One statsmodels forecast, or the error it raised. */
export interface StatsmodelsResult {
  /** The job's id (see `jobId`). */
  id: string;
  /** Point forecasts, one per step. */
  forecast?: number[];
  /** Lower bound of the interval at the requested level. */
  lower?: number[];
  /** Upper bound of the interval at the requested level. */
  upper?: number[];
  /** Whether the season was fit (dropped below 2 seasons of training). */
  seasonal?: boolean;
  /** Whether the optimizer reported success without a ConvergenceWarning. */
  converged?: boolean;
  /** Optimizer or warning message. */
  message?: string;
  /** Seconds spent fitting and forecasting this job. */
  seconds?: number;
  /** Exception raised while fitting, if any. */
  error?: string;
}

/** All statsmodels forecasts of one run, or why there are none. */
export type StatsmodelsOutcome =
  | { ok: true; version: string; byId: Map<string, StatsmodelsResult>; seconds: number }
  | { ok: false; missing: boolean; reason: string };

/** Stable id of a split in the job list. */
export function jobId(split: Split): string {
  return `${split.series}@${split.origin}`;
}

/** A running statsmodels process. */
export interface StatsmodelsRun {
  /** Settles once the child has read the whole job list, so the caller may then block the loop. */
  inputSent: Promise<void>;
  /** Settles with every forecast once the child exits. */
  outcome: Promise<StatsmodelsOutcome>;
}

/** Starts statsmodels on every split in one Python process; its progress goes to stderr. */
export function startStatsmodels(splits: Split[], level: number): StatsmodelsRun {
  const request = JSON.stringify({
    level,
    repetitions: REPETITIONS,
    jobs: splits.map((s) => ({
      id: jobId(s),
      train: s.train,
      m: s.seasonLength,
      horizon: s.test.length,
    })),
  });
  const started = performance.now();
  let inputSent: () => void = () => undefined;
  const sent = new Promise<void>((resolve) => (inputSent = resolve));
  const outcome = new Promise<StatsmodelsOutcome>((resolve) => {
    const child = spawn(DEBIAN_PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    child.on('error', (err) => {
      inputSent();
      resolve({ ok: false, missing: true, reason: `${DEBIAN_PYTHON}: ${err.message}` });
    });
    child.on('close', (code) => {
      inputSent();
      const seconds = (performance.now() - started) / 1000;
      resolve(parseOutput(stdout, code, stderr, seconds));
    });
    child.stdin.on('error', () => undefined); // the 'close' handler reports a dead child
    // With a 64 KiB pipe, 'finish' means Python has read nearly all of it: the bench's
    // synchronous fits that follow cannot starve the child of input.
    child.stdin.end(request, () => inputSent());
  });
  return { inputSent: sent, outcome };
}

/** Turns the script's stdout into an outcome. */
function parseOutput(
  stdout: string,
  code: number | null,
  stderr: string,
  seconds: number,
): StatsmodelsOutcome {
  let doc: { missing?: string; statsmodels?: string; results?: StatsmodelsResult[] };
  try {
    doc = JSON.parse(stdout) as typeof doc;
  } catch {
    const tail = stderr.trim().split('\n').slice(-3).join(' / ');
    return { ok: false, missing: false, reason: `exit ${code}: ${tail}` };
  }
  if (doc.missing !== undefined) return { ok: false, missing: true, reason: doc.missing };
  const byId = new Map((doc.results ?? []).map((r) => [r.id, r]));
  return { ok: true, version: doc.statsmodels ?? '?', byId, seconds };
}
