/**
 * Argument checks shared by the queueing models. Each throws a RangeError that names the
 * argument, the value received and what was expected, so a caller can fix the input at once.
 */

/** Throws unless `value` is a finite number `>= 0`. */
export function requireNonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0; got ${String(value)}`);
  }
}

/** Throws unless `value` is a finite number `> 0`. */
export function requirePositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a finite number > 0; got ${String(value)}`);
  }
}

/** Throws unless `value` is an integer `>= min`. */
export function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min}; got ${String(value)}`);
  }
}

/** Throws unless `value` is a probability strictly between 0 and 1. */
export function requireOpenProbability(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0 || value >= 1) {
    throw new RangeError(`${name} must be between 0 and 1 (exclusive); got ${String(value)}`);
  }
}

/** Throws unless `value` is a probability in [0, 1]. */
export function requireProbability(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new RangeError(`${name} must be between 0 and 1; got ${String(value)}`);
  }
}
