import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERRORS, formatError, HeadroomError, asHeadroomErrors, HeadroomErrors } from './errors.ts';

const DOC = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

describe('error catalog', () => {
  it('docs/errors.md lists every code with its exit code and HTTP status, and nothing else', () => {
    const rows = [...DOC.matchAll(/^\| `([A-Z_]+)` \| (\d+) \| (\d+) \|/gm)].map((m) => [
      m[1],
      Number(m[2]),
      Number(m[3]),
    ]);
    const catalog = Object.entries(ERRORS).map(([code, kind]) => [
      code,
      kind.exitCode,
      kind.httpStatus,
    ]);
    assert.deepEqual(rows, catalog);
  });

  it('formats location, code, path, message and hint on two lines', () => {
    const e = new HeadroomError('PLAN_UNIT', '"5 GB" is bytes', {
      file: 'p.yaml',
      line: 3,
      column: 7,
      path: 'triggers[0].for',
      hint: 'write 10m',
    });
    assert.equal(
      formatError(e),
      'p.yaml:3:7: PLAN_UNIT at triggers[0].for: "5 GB" is bytes\n  hint: write 10m',
    );
    assert.equal(e.exitCode, 3);
    assert.deepEqual(e.toJSON(), {
      code: 'PLAN_UNIT',
      message: '"5 GB" is bytes',
      hint: 'write 10m',
      file: 'p.yaml',
      line: 3,
      column: 7,
      path: 'triggers[0].for',
    });
  });

  it('turns anything thrown into catalogued errors', () => {
    assert.equal(asHeadroomErrors(new Error('boom'))[0]!.code, 'INTERNAL');
    const many = new HeadroomErrors([
      new HeadroomError('PLAN_CYCLE', 'a'),
      new HeadroomError('PLAN_ENV', 'b'),
    ]);
    assert.deepEqual(
      asHeadroomErrors(many).map((e) => e.code),
      ['PLAN_CYCLE', 'PLAN_ENV'],
    );
    assert.equal(many.exitCode, 3);
  });
});
