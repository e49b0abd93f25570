/**
 * Formula triggers against single-metric triggers: one alert-engine cycle over
 * `triggerSpecs(plan)` of a plan with 10,000 formula triggers (ten realistic shapes, see
 * `formula-plan.ts`), 10 series each, against a plan with as many single-metric triggers, in the
 * same run. Both plans go through the real loader and compiler, and both are driven with the
 * same levels: each series wobbles around its own level, so the formula trigger `i` and the
 * single-metric trigger `i` show the same value and the same alerts, and the difference between
 * the two cycles is the cost of evaluating the formulas. Two loads: a busy one (levels uniform in
 * 0..85 %, as `rules-eval`: about one series in five above the 70 % warning, so alerts go
 * pending, fire and resolve every cycle) and a quiet one (levels in 0..60 %: nothing fires, the
 * cycle is the expressions and the comparisons).
 *
 * Goals (issue 14): a formula cycle within 3× of the single-metric cycle, and under 250 ms.
 */
import { seededRandom } from '../src/forecast/synthetic.ts';
import { parsePlan } from '../src/plan/load.ts';
import { triggerSpecs } from '../src/plan/trigger-specs.ts';
import type { Plan } from '../src/plan/types.ts';
import {
  evaluate,
  type EngineState,
  type Input,
  type Series,
  type TriggerSpec,
  type TriggerStatus,
} from '../src/rules/index.ts';
import {
  formulaExpr,
  formulaInputs,
  formulaPlanText,
  isScalarInput,
  singlePlanText,
} from './formula-plan.ts';
import { nowMs, renderTable, type BenchRow } from './table.ts';

const TRIGGERS = 10_000;
const SERIES_PER_TRIGGER = 10;
const WARMUP_CYCLES = 2;
const MEASURED_CYCLES = 5;
const INTERVAL_MS = 15_000;

/** Each series' level (the value its trigger should show), wobbling around its base. */
interface Levels {
  base: Float64Array;
  level: Float64Array;
}

/** A load: the highest base level of a series. */
interface Load {
  name: string;
  maxLevel: number;
}

const LOADS: Load[] = [
  { name: 'busy', maxLevel: 0.85 },
  { name: 'quiet', maxLevel: 0.6 },
];

function initialLevels(load: Load): Levels {
  const rand = seededRandom(42);
  const base = Float64Array.from(
    { length: TRIGGERS * SERIES_PER_TRIGGER },
    () => rand() * load.maxLevel,
  );
  return { base, level: Float64Array.from(base) };
}

function wobble(levels: Levels, rand: () => number): void {
  const { base, level } = levels;
  for (let j = 0; j < level.length; j++) {
    const w = 0.7 * (level[j]! - base[j]!) + (rand() - 0.5) * 0.1;
    level[j] = Math.min(1, Math.max(0, base[j]! + w));
  }
}

/** Label sets, one object per metric and series (sources give each metric its own). */
function labelsFor(trigger: number, k: number): Record<string, string> {
  return { trigger: `t${trigger}`, instance: `i-${k}` };
}

/** Engine inputs that make formula trigger `i`'s series `k` show `level[i * 10 + k]`. */
function formulaCycleInputs(levels: Levels): Record<string, Input> {
  const inputs: Record<string, Series[]> = {};
  for (let i = 0; i < TRIGGERS; i++) {
    for (let k = 0; k < SERIES_PER_TRIGGER; k++) {
      const values = formulaInputs(i, levels.level[i * SERIES_PER_TRIGGER + k]!, k);
      for (const [key, value] of Object.entries(values)) {
        if (isScalarInput(key)) {
          if (k === 0) inputs[key] = [{ labels: {}, value }];
        } else (inputs[key] ??= []).push({ labels: labelsFor(i, k), value });
      }
    }
  }
  return inputs;
}

function singleCycleInputs(levels: Levels): Record<string, Input> {
  const inputs: Record<string, Series[]> = {};
  for (let i = 0; i < TRIGGERS; i++) {
    const vector: Series[] = [];
    for (let k = 0; k < SERIES_PER_TRIGGER; k++) {
      vector.push({ labels: labelsFor(i, k), value: levels.level[i * SERIES_PER_TRIGGER + k]! });
    }
    inputs[`util_${i}`] = vector;
  }
  return inputs;
}

/** Fails the bench when a trigger could not be judged: then it would time errors, not formulas. */
function checkHealthy(statuses: readonly TriggerStatus[], what: string): void {
  const bad = statuses.findIndex((s) => s.health !== 'ok' || s.status === 'unknown');
  if (bad >= 0) {
    const s = statuses[bad]!;
    const expr = what === 'formula' ? ` (${formulaExpr(bad)})` : '';
    throw new Error(
      `${what} trigger ${s.trigger}${expr} is ${s.status}: ${s.lastError ?? s.reason}`,
    );
  }
}

/** Triggers whose status differs between the formula and the single-metric run. */
function statusDifferences(a: readonly TriggerStatus[], b: readonly TriggerStatus[]): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i]!.status !== b[i]!.status) n++;
  return n;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Compiled {
  plan: Plan;
  specs: TriggerSpec[];
  compileMs: number;
  specsMs: number;
}

function compile(text: string, file: string): Compiled {
  let start = nowMs();
  const plan = parsePlan(text, file, { env: {} });
  const compileMs = nowMs() - start;
  start = nowMs();
  const specs = triggerSpecs(plan);
  return { plan, specs, compileMs, specsMs: nowMs() - start };
}

interface Measured {
  formulaMs: number[];
  singleMs: number[];
  differences: number;
  active: number;
}

function measure(formula: TriggerSpec[], single: TriggerSpec[], load: Load): Measured {
  const levels = initialLevels(load);
  const rand = seededRandom(7);
  const m: Measured = { formulaMs: [], singleMs: [], differences: 0, active: 0 };
  let previousFormula: EngineState | undefined;
  let previousSingle: EngineState | undefined;
  let now = Date.UTC(2025, 0, 1);
  for (let cycle = 0; cycle < WARMUP_CYCLES + MEASURED_CYCLES; cycle++) {
    wobble(levels, rand);
    const singleInputs = singleCycleInputs(levels);
    const formulaInputsNow = formulaCycleInputs(levels);
    let start = nowMs();
    const s = evaluate({ triggers: single, inputs: singleInputs, now, previous: previousSingle });
    const singleMs = nowMs() - start;
    start = nowMs();
    const f = evaluate({
      triggers: formula,
      inputs: formulaInputsNow,
      now,
      previous: previousFormula,
    });
    const formulaMs = nowMs() - start;
    checkHealthy(s.statuses, 'single-metric');
    checkHealthy(f.statuses, 'formula');
    previousSingle = s.state;
    previousFormula = f.state;
    now += INTERVAL_MS;
    if (cycle < WARMUP_CYCLES) continue;
    m.singleMs.push(singleMs);
    m.formulaMs.push(formulaMs);
    m.differences = Math.max(m.differences, statusDifferences(f.statuses, s.statuses));
    m.active = f.statuses.reduce((n, st) => n + st.instances.length, 0);
  }
  return m;
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

/** The rows of one load: the cycle against the goal ratio, against 250 ms, and per series. */
function loadRows(load: Load, m: Measured): BenchRow[] {
  const formulaMs = median(m.formulaMs);
  const singleMs = median(m.singleMs);
  const series = TRIGGERS * SERIES_PER_TRIGGER;
  return [
    {
      name: `${load.name}: one cycle, ${n(TRIGGERS)} formula triggers × ${SERIES_PER_TRIGGER} series, ${n(m.active)} alerts active (baseline: as many single-metric triggers; median of ${MEASURED_CYCLES})`,
      value: formulaMs,
      baseline: singleMs,
      unit: 'ms',
      goal: { text: '≤ 3× single-metric', met: formulaMs <= 3 * singleMs },
    },
    {
      name: `${load.name}: the formula cycle, absolute (baseline: the single-metric cycle)`,
      value: formulaMs,
      baseline: singleMs,
      unit: 'ms',
      goal: { text: '< 250 ms', met: formulaMs < 250 },
    },
    {
      name: `${load.name}: per series (baseline: single-metric)`,
      value: (formulaMs * 1000) / series,
      baseline: (singleMs * 1000) / series,
      unit: 'µs',
    },
  ];
}

/** Runs the benchmark and returns its Markdown table. */
export async function run(): Promise<string> {
  const formula = compile(formulaPlanText(TRIGGERS), 'formula-bench.yaml');
  const single = compile(singlePlanText(TRIGGERS), 'single-bench.yaml');
  const measured = LOADS.map((load) => measure(formula.specs, single.specs, load));
  const rows: BenchRow[] = [
    ...LOADS.flatMap((load, i) => loadRows(load, measured[i]!)),
    {
      name: `triggerSpecs(plan), ${n(TRIGGERS)} triggers (baseline: single-metric plan)`,
      value: formula.specsMs,
      baseline: single.specsMs,
      unit: 'ms',
    },
  ];
  const differences = Math.max(...measured.map((m) => m.differences));
  const note =
    `Plans compiled by parsePlan in ${n(formula.compileMs)} ms (formula) and ${n(single.compileMs)} ms (single-metric); ` +
    `at most ${differences} triggers differed in status between the formula and the single-metric run in a cycle.`;
  return `${renderTable('formulas: formula triggers vs single-metric triggers, one engine cycle', rows)}\n_${note}_\n`;
}
