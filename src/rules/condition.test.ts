import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HeadroomError } from '../errors.ts';
import { conditionProblems, formatCondition, holds, parseCondition } from './condition.ts';
import type { Condition } from './types.ts';

describe('parseCondition', () => {
  const good: [text: string, expected: Condition][] = [
    ['> 70%', { op: '>', threshold: 0.7 }],
    ['>= 85%', { op: '>=', threshold: 0.85 }],
    ['<500', { op: '<', threshold: 500 }],
    ['<= 0.25', { op: '<=', threshold: 0.25 }],
    ['== 0', { op: '==', threshold: 0 }],
    ['!= 1', { op: '!=', threshold: 1 }],
    ['> -5', { op: '>', threshold: -5 }],
    ['> +5', { op: '>', threshold: 5 }],
    ['< 1e3', { op: '<', threshold: 1000 }],
    ['> .5', { op: '>', threshold: 0.5 }],
    ['> 85 %', { op: '>', threshold: 0.85 }],
    ['  >=   70%  ', { op: '>=', threshold: 0.7 }],
    ['> 100%', { op: '>', threshold: 1 }],
  ];
  for (const [text, expected] of good) {
    it(`reads ${JSON.stringify(text)}`, () => assert.deepEqual(parseCondition(text), expected));
  }

  const bad: [name: string, text: string, message: RegExp, hint?: RegExp][] = [
    ['an empty string', '', /is empty/],
    ['blanks only', '   ', /is empty/],
    ['a missing operator', '70%', /must start with a comparison operator/],
    ['a single =', '= 5', /unknown operator "="/, /==/],
    ['=> for >=', '=> 5', /unknown operator "=>"/, />=/],
    ['=< for <=', '=< 5', /unknown operator "=<"/, /<=/],
    ['a missing number', '> ', /expected a number after ">"/],
    ['a word instead of a number', '> high', /expected a number/],
    ['a unit', '> 500 GB', /unexpected "GB"/, /base units/],
    ['two numbers', '> 5 5', /unexpected "5"/],
    ['a doubled operator', '>> 5', /expected a number/],
    ['a number too large', '> 1e400', /too large/],
    ['text after the percent sign', '> 5% of disk', /unexpected "of disk"/],
  ];
  for (const [name, text, message, hint] of bad) {
    it(`rejects ${name} with PLAN_EXPRESSION`, () => {
      assert.throws(
        () => parseCondition(text),
        (error: unknown) => {
          assert.ok(error instanceof HeadroomError);
          assert.equal(error.code, 'PLAN_EXPRESSION');
          assert.match(error.message, message);
          assert.ok(error.message.includes(JSON.stringify(text)), 'message quotes the input');
          if (hint) assert.match(error.hint ?? '', hint);
          return true;
        },
      );
    });
  }

  it('rejects a non-string', () => {
    assert.throws(() => parseCondition(70 as unknown as string), /must be a string/);
  });
});

describe('holds', () => {
  const cases: [Condition['op'], number, boolean][] = [
    ['>', 0.71, true],
    ['>', 0.7, false],
    ['>=', 0.7, true],
    ['>=', 0.69, false],
    ['<', 0.69, true],
    ['<', 0.7, false],
    ['<=', 0.7, true],
    ['<=', 0.71, false],
    ['==', 0.7, true],
    ['==', 0.71, false],
    ['!=', 0.71, true],
    ['!=', 0.7, false],
  ];
  for (const [op, value, expected] of cases) {
    it(`${value} ${op} 0.7 is ${expected}`, () => {
      assert.equal(holds({ op, threshold: 0.7 }, value), expected);
    });
  }

  it('never holds for NaN except with != (IEEE 754, as in PromQL)', () => {
    for (const op of ['>', '>=', '<', '<=', '=='] as const) {
      assert.equal(holds({ op, threshold: 1 }, NaN), false, op);
    }
    assert.equal(holds({ op: '!=', threshold: 1 }, NaN), true);
  });

  it('compares infinities', () => {
    assert.equal(holds({ op: '>', threshold: 1e308 }, Infinity), true);
    assert.equal(holds({ op: '<', threshold: -1e308 }, -Infinity), true);
  });
});

describe('formatCondition and conditionProblems', () => {
  it('writes PromQL comparisons', () => {
    assert.equal(formatCondition({ op: '>', threshold: 0.7 }), '> 0.7');
    assert.equal(formatCondition({ op: '<=', threshold: -Infinity }), '<= -Inf');
    assert.equal(formatCondition({ op: '!=', threshold: Infinity }), '!= +Inf');
  });

  it('accepts a valid condition', () => {
    assert.deepEqual(conditionProblems({ op: '>=', threshold: 3 }), []);
  });

  it('names every problem of an invalid condition', () => {
    assert.deepEqual(conditionProblems({ op: '=>', threshold: NaN }), [
      'unknown operator "=>"; use one of >= <= == != > <',
      'threshold must be a number',
    ]);
    assert.deepEqual(conditionProblems(null), ['condition must be an object']);
  });
});
