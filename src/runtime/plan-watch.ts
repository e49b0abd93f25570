/**
 * Reloading a served plan when its file changes: the new plan is loaded and compiled whole; a
 * good one replaces the running plan atomically, a bad edit keeps the running plan and reports
 * its errors (with file, line and field) until the file is fixed.
 */
import { watch, type FSWatcher } from 'node:fs';
import { asHeadroomErrors } from '../errors.ts';
import { loadPlan } from '../plan/load.ts';
import type { Plan } from '../plan/types.ts';

/** What a reload attempt produced. */
export type ReloadOutcome = { plan: Plan } | { errors: Record<string, unknown>[] };

/** Waits this long after the last change before reloading, ms (editors write in bursts). */
export const RELOAD_DEBOUNCE_MS = 250;

/** Watches `file` and calls `onReload` after each burst of changes. */
export class PlanWatcher {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly onReload: (outcome: ReloadOutcome) => void,
  ) {}

  /** Starts watching. */
  start(): void {
    // Editors often replace the file: watch it by name and keep watching after a rename.
    this.watcher = watch(this.file, { persistent: false }, () => this.schedule());
    this.watcher.on('error', () => this.schedule());
  }

  /** Stops watching. */
  stop(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.onReload(reloadPlan(this.file));
      // After a replace-by-rename the old watch is dead: watch the new file.
      this.watcher?.close();
      try {
        this.start();
      } catch {
        // The file is gone for the moment; the next write to the folder is not watched.
      }
    }, RELOAD_DEBOUNCE_MS);
  }
}

/** Loads `file`: the plan, or every error found in it. */
export function reloadPlan(file: string): ReloadOutcome {
  try {
    return { plan: loadPlan(file) };
  } catch (err) {
    return { errors: asHeadroomErrors(err).map((e) => e.toJSON()) };
  }
}
