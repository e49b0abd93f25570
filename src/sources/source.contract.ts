/**
 * The contract every source kind passes. A kind's tests call `sourceContract(name, setup)` at
 * top level; `setup` runs in the suite's `before` hook (so servers started by the file's own
 * `before` are up) and returns the kind, options that reach a live system, and metric requests
 * that all succeed there. The suite builds each source itself with a clock it controls.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { HeadroomError, HeadroomErrors } from '../errors.ts';
import { isObservedSource } from './health.ts';
import type { MetricRequest, Source, SourceKind } from './source.ts';

/** What the contract suite needs to build live sources of one kind. */
export interface ContractFixture {
  /** The kind under test. */
  kind: SourceKind;
  /** Source options that reach a live system. */
  options: Record<string, unknown>;
  /** Metric requests that all read at least one finite sample there. */
  metrics: MetricRequest[];
}

/** How long an aborted collect may take to reject, in ms. */
const ABORT_BUDGET_MS = 100;
/** Clock offset, in ms: a time the source cannot get from `Date.now()` by itself. */
const CLOCK_OFFSET_MS = -1234;

/** Registers the Source contract tests for one kind under `source contract: <name>`. */
export function sourceContract(
  name: string,
  setup: () => ContractFixture | Promise<ContractFixture>,
): void {
  describe(`source contract: ${name}`, () => {
    let fixture: ContractFixture;
    before(async () => {
      fixture = await setup();
    });

    /** Builds a source with a fixed clock, runs `use`, and always closes the source. */
    async function withSource(
      use: (source: Source, clockMs: number) => Promise<void>,
    ): Promise<void> {
      const clockMs = Date.now() + CLOCK_OFFSET_MS;
      const source = fixture.kind.create({
        name: `contract-${name}`,
        options: fixture.options,
        metrics: fixture.metrics,
        now: () => clockMs,
      });
      try {
        await use(source, clockMs);
      } finally {
        await source.close();
      }
    }

    test('samples carry exactly the requested metric names', async () => {
      await withSource(async (source) => {
        const samples = await source.collect(AbortSignal.timeout(10_000));
        const got = [...new Set(samples.map((s) => s.metric))].sort();
        assert.deepEqual(got, fixture.metrics.map((m) => m.name).sort());
      });
    });

    test('every value is a finite number and labels are strings', async () => {
      await withSource(async (source) => {
        for (const sample of await source.collect(AbortSignal.timeout(10_000))) {
          assert.ok(Number.isFinite(sample.value), `${sample.metric} = ${sample.value}`);
          for (const v of Object.values(sample.labels)) assert.equal(typeof v, 'string');
        }
      });
    });

    test('sample times come from the context clock', async () => {
      await withSource(async (source, clockMs) => {
        const samples = await source.collect(AbortSignal.timeout(10_000));
        assert.ok(samples.length > 0);
        for (const sample of samples) assert.equal(sample.at, clockMs, sample.metric);
      });
    });

    test('a second collect of the same source works too', async () => {
      await withSource(async (source) => {
        await source.collect(AbortSignal.timeout(10_000));
        const again = await source.collect(AbortSignal.timeout(10_000));
        assert.equal(new Set(again.map((s) => s.metric)).size, fixture.metrics.length);
      });
    });

    test('an already-aborted signal rejects promptly with no samples', async () => {
      await withSource(async (source) => {
        const startedMs = performance.now();
        await assert.rejects(source.collect(AbortSignal.abort()), (e: unknown) => {
          assert.ok(
            e instanceof HeadroomError || e instanceof HeadroomErrors,
            `not catalogued: ${String(e)}`,
          );
          return true;
        });
        assert.ok(performance.now() - startedMs < ABORT_BUDGET_MS, 'took too long to reject');
      });
    });

    test('an abort during collect rejects promptly', async () => {
      await withSource(async (source) => {
        const controller = new AbortController();
        const collecting = source.collect(controller.signal);
        const startedMs = performance.now();
        controller.abort();
        // A fast source may finish first; what matters is that it settles within the budget.
        await collecting.catch(() => undefined);
        assert.ok(performance.now() - startedMs < ABORT_BUDGET_MS, 'took too long to settle');
      });
    });

    test('close() twice is safe', async () => {
      const source = fixture.kind.create({
        name: `contract-${name}`,
        options: fixture.options,
        metrics: fixture.metrics,
        now: () => Date.now(),
      });
      await source.close();
      await source.close();
    });

    test('health(), when offered, is unknown before and ok after a good collect', async (t) => {
      await withSource(async (source, clockMs) => {
        if (!isObservedSource(source)) {
          t.skip('this kind offers no health()');
          return;
        }
        assert.equal(source.health().state, 'unknown');
        await source.collect(AbortSignal.timeout(10_000));
        const health = source.health();
        assert.equal(health.state, 'ok', health.lastError);
        assert.equal(health.lastSuccessAt, clockMs);
      });
    });

    test('validate() accepts the options and every fixture metric', () => {
      assert.deepEqual(fixture.kind.validate(fixture.options), []);
      for (const m of fixture.metrics)
        assert.deepEqual(fixture.kind.validate(fixture.options, m.select), [], m.name);
    });

    test('validate() flags an unknown selector field by its name', () => {
      const select = { ...fixture.metrics[0]!.select, no_such_option: 1 };
      const issues = fixture.kind.validate(fixture.options, select);
      assert.ok(
        issues.some((i) => i.path === 'no_such_option'),
        `issues: ${JSON.stringify(issues)}`,
      );
    });
  });
}
