/**
 * A seeded pseudo-random number generator for the simulator: xoshiro128** (Blackman & Vigna),
 * its 128-bit state filled from the seed by splitmix32, so every seed, 0 included, gives a
 * well-mixed start. The simulator never touches `Math.random`: the same seed always gives the
 * same jobs. Normals come from the Box–Muller transform (both values of a pair are used).
 */

/** 2^-32: maps a uint32 onto [0, 1). */
const TWO_POW_MINUS_32 = 1 / 4294967296;

/** One splitmix32 step: the next state and its mixed output. */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return [next, (z ^ (z >>> 15)) >>> 0];
}

/** A seeded generator of uniforms, exponentials and normals. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** The second value of the last Box–Muller pair, or NaN when none is pending. */
  private spare = NaN;

  /** A generator seeded with `seed` (any finite number; it is taken to 32 bits). */
  constructor(seed: number) {
    let s = Math.trunc(seed) | 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(s);
      s = next;
      words.push(out);
    }
    [this.a, this.b, this.c, this.d] = words as [number, number, number, number];
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** The next raw 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A uniform in the open interval (0, 1): never 0, so its logarithm is always finite. */
  uniform(): number {
    return (this.nextUint32() + 0.5) * TWO_POW_MINUS_32;
  }

  /** An exponential with the given mean. */
  exponential(mean: number): number {
    return -Math.log(this.uniform()) * mean;
  }

  /** A standard normal (mean 0, standard deviation 1). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = NaN;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

/** A 32-bit left rotation. */
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * An independent stream for one purpose (`1` arrivals, `2` service times, …) from one user
 * seed, so that drawing more of one never shifts the other.
 */
export function streamRng(seed: number, stream: number): Rng {
  return new Rng(Math.imul(Math.trunc(seed) | 0, 0x2545f491) ^ Math.imul(stream + 1, 0x61c88647));
}
