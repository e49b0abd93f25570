/**
 * A progress line on stderr for long operations (replays, imports): percentage and rate,
 * redrawn at most ten times a second, only when stderr is a terminal.
 */

/** A progress reporter. */
export interface Progress {
  /** Reports `done` of `total` units. */
  update: (done: number, total: number) => void;
  /** Clears the line. */
  done: () => void;
}

/** Starts a progress line labelled `label`. */
export function progress(label: string): Progress {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  return {
    update(done, total) {
      const now = Date.now();
      if (!tty || (now - last < 100 && done < total)) return;
      last = now;
      const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
      process.stderr.write(`\r${label} ${pct}% (${done}/${total})`);
    },
    done() {
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}
