import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../simulate/rng.ts';
import { roundTwelve } from './round-twelve.ts';
import { clean } from './units.ts';

/** A double from 64 random bits: every exponent, subnormals, NaN and ±Infinity included. */
function anyDouble(rng: Rng): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, rng.nextUint32());
  view.setUint32(4, rng.nextUint32());
  return view.getFloat64(0);
}

/** The double after `x` (towards +Infinity), for x > 0. */
function nextUp(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  return view.getFloat64(0);
}

function assertSame(v: number): void {
  const [got, want] = [roundTwelve(v), clean(v)];
  assert.ok(Object.is(got, want), `roundTwelve(${v}) = ${got}, clean = ${want}`);
}

describe('roundTwelve equals clean (Number(v.toPrecision(12))) for every double', () => {
  const rng = new Rng(12);

  it('on random bit patterns', () => {
    for (let i = 0; i < 200_000; i++) assertSame(anyDouble(rng));
  });

  it('on ordinary values: ratios, unit conversions, magnitudes from 1e-12 to 1e34', () => {
    for (let i = 0; i < 200_000; i++) {
      const magnitude = 10 ** (-12 + 46 * rng.uniform());
      assertSame(magnitude);
      assertSame(-magnitude);
      assertSame((Math.round(rng.uniform() * 1e6) / 7) * 1e9 * 8);
      assertSame(Math.round(rng.uniform() * 1000) / Math.round(1 + rng.uniform() * 1000));
    }
  });

  it('next to the halfway points of the 12th digit', () => {
    for (let i = 0; i < 100_000; i++) {
      const e = Math.floor(-11 + 44 * rng.uniform());
      const n = 1e11 + Math.floor(rng.uniform() * 9e11);
      let x = Number(`${n}5e${e - 12}`);
      for (let j = 0; j < 3; j++, x = nextUp(x)) {
        assertSame(x);
        assertSame(-x);
      }
    }
  });

  it('next to powers of ten and at the ends of the fast range', () => {
    for (let e = -330; e <= 310; e++) {
      let x = Number(`1e${e}`);
      for (let j = 0; j < 4 && Number.isFinite(x); j++, x = nextUp(x)) assertSame(x);
      assertSame(Number(`9.999999999995e${e}`));
      assertSame(Number(`9.99999999999e${e}`));
    }
    for (const v of [0, -0, NaN, Infinity, -Infinity, 1e-11, 1e33, Number.MIN_VALUE]) assertSame(v);
  });
});
