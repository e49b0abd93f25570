/**
 * Number and duration formatting for the one-line reasons policies give: short, stable and
 * readable (`2.4/s`, `5m`, `1m30s`).
 */

/** A number with at most `digits` decimals and no trailing zeros (`2.5`, `0.333`, `12`). */
export function num(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toFixed(digits)));
}

/** Milliseconds as `300s`-style text: `5m`, `1m30s`, `15s`, `250ms`, `0s`. */
export function dur(ms: number): string {
  if (ms === 0) return '0s';
  if (!Number.isFinite(ms)) return String(ms);
  if (ms % 1000 !== 0) return `${num(ms)}ms`;
  let rest = ms / 1000;
  let text = '';
  for (const [unit, size] of [
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) text += `${n}${unit}`;
    rest -= n * size;
  }
  return text;
}

/** A signed replica change: `+5`, `-2`. */
export function signed(change: number): string {
  return change > 0 ? `+${change}` : String(change);
}
