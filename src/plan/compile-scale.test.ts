import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generatedPlanText } from '../testing/generated-plan.ts';
import { parsePlan } from './load.ts';

/** CPU ms of one compile of a generated plan of `components` components. */
function compileCpuMs(components: number): number {
  const text = generatedPlanText({ components });
  const start = process.cpuUsage();
  const plan = parsePlan(text, `generated-${components}.yaml`);
  const used = process.cpuUsage(start);
  assert.equal(plan.triggers.length, components);
  return (used.user + used.system) / 1000;
}

describe('plan compile at size', () => {
  it('a generated plan of 2,000 components compiles to 2,000 triggers and 2,000 components', () => {
    const plan = parsePlan(generatedPlanText({ components: 2_000 }), 'generated.yaml');
    assert.equal(plan.triggers.length, 2_000);
    assert.equal(Object.keys(plan.raw.components ?? {}).length, 2_000);
  });

  it('grows near-linearly: 10× the components costs well under 100× (quadratic) the time', () => {
    compileCpuMs(50); // warm the unit system
    const small = Math.min(compileCpuMs(200), compileCpuMs(200));
    const large = compileCpuMs(2_000);
    // Linear is 10×; the bound leaves room for a loaded machine, a quadratic part fails it.
    assert.ok(large / small < 30, `2,000 components: ${large} ms, 200: ${small} ms`);
  });
});
