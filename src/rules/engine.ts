/**
 * The alert engine: evaluates many triggers at one time, like a Prometheus rule group. Each
 * trigger's expression gives a result vector; each level filters it by its condition and runs
 * its own alert state machine (`alert.ts`). A trigger whose inputs are unknown shows status
 * unknown while its state machines see an empty vector, which is what Prometheus sees for
 * absent data. A failing expression is recorded as rule health, never thrown.
 */
import { HeadroomError } from '../errors.ts';
import { evalRule, restoreAlerts, type AlertChange } from './alert.ts';
import { conditionProblems, holds } from './condition.ts';
import { listInstances, summarize, type LevelAlerts } from './status.ts';
import { computeVector, formatLabels, indexVector } from './vector.ts';
import type { IndexedVector, VectorElement, VectorResult } from './vector.ts';
import type {
  EngineState,
  EvaluateOptions,
  EvaluateResult,
  Input,
  InstanceStatus,
  LevelSpec,
  Series,
  Severity,
  Transition,
  TriggerSpec,
  TriggerState,
  TriggerStatus,
} from './types.ts';

/** State per trigger name. */
type TriggerStates = EngineState['triggers'];

const isSeries = (s: Series): boolean =>
  typeof s?.value === 'number' && typeof s.labels === 'object' && s.labels !== null;

/** Shared, per-evaluation context: inputs, time, and input vectors indexed once. */
interface Context {
  inputs: Readonly<Record<string, Input>>;
  now: number;
  vectors: Map<string, IndexedVector>;
  transitions: Transition[];
}

/** What one trigger's evaluation produced. */
interface TriggerOutcome {
  state: TriggerState;
  status: TriggerStatus;
}

/**
 * Evaluates every trigger at `now` against `previous` and returns the new state, every alert
 * state change, and one status per trigger. Never throws for bad expressions or inputs; throws
 * `HeadroomError('INTERNAL')` only for a non-finite `now` (a bug in the caller).
 */
export function evaluate(options: EvaluateOptions): EvaluateResult {
  const { triggers, now } = options;
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new HeadroomError('INTERNAL', `evaluation time must be epoch milliseconds, got ${now}`);
  }
  const previous = options.previous?.version === 1 ? options.previous.triggers : undefined;
  const context: Context = { inputs: options.inputs, now, vectors: new Map(), transitions: [] };
  // A prototype-less dictionary: one key per trigger name (see `evalRule`).
  const state: EngineState = { version: 1, triggers: Object.create(null) as TriggerStates };
  const statuses: TriggerStatus[] = [];
  for (const spec of triggers) {
    const name = typeof spec?.name === 'string' ? spec.name : '';
    const duplicate = name !== '' && state.triggers[name] !== undefined;
    const prev = duplicate ? undefined : previous?.[name];
    const outcome = duplicate
      ? failed({ name, prev, now, error: `duplicate trigger name ${JSON.stringify(name)}` })
      : evaluateTrigger(context, spec, prev);
    if (!duplicate && name !== '') state.triggers[name] = outcome.state;
    statuses.push(outcome.status);
  }
  return { state, transitions: context.transitions, statuses };
}

function evaluateTrigger(
  context: Context,
  spec: TriggerSpec,
  prev: TriggerState | undefined,
): TriggerOutcome {
  const { now } = context;
  const name = typeof spec?.name === 'string' ? spec.name : '';
  const problems = validateTrigger(spec);
  if (problems.length > 0) {
    return failed({ name, prev, now, error: `invalid trigger: ${problems.join('; ')}` });
  }
  let unknown: string | undefined;
  const vectors: IndexedVector[] = [];
  for (const input of spec.inputs) {
    const resolved = resolveInput(context, input);
    if (typeof resolved === 'string') unknown ??= resolved;
    else vectors.push(resolved);
  }
  // Unknown data is absent data for the state machines, as in Prometheus; only the status says so.
  const result: VectorResult =
    unknown === undefined
      ? computeVector({ inputs: spec.inputs, compute: spec.compute, vectors })
      : { elements: [], nan: [] };
  // Every input has data yet no label set is common to them all: the expression has no value,
  // and that must not read as ok.
  if (
    unknown === undefined &&
    result.elements.length + result.nan.length === 0 &&
    vectors.length > 1
  ) {
    unknown = `the series of ${spec.inputs.join(', ')} share no label set, so the expression has no value`;
  }
  if (result.error !== undefined) {
    const instances = prev === undefined ? [] : listInstances(spec, prev.alerts);
    return failed({ name, prev, now, error: result.error, instances });
  }
  const errors: string[] = [];
  const alerts = runLevels(context, spec, prev, result.elements, errors);
  if (result.nan.length > 0) {
    errors.push(nanMessage(result.nan, result.nan.length + result.elements.length));
  }
  const error = errors.length > 0 ? errors.join('; ') : undefined;
  const status = summarize({ spec, alerts, elements: result.elements, unknown, error });
  status.since = prev?.status === status.status ? prev.since : now;
  status.health = error === undefined ? 'ok' : 'err';
  if (error !== undefined) status.lastError = error;
  return { state: { status: status.status, since: status.since, alerts }, status };
}

const NONE: readonly VectorElement[] = Object.freeze([]);

// Runs each level's state machine on the elements that meet its condition and records the
// transitions. Skips a level with nothing active now and nothing active before.
function runLevels(
  context: Context,
  spec: TriggerSpec,
  prev: TriggerState | undefined,
  elements: readonly VectorElement[],
  errors: string[],
): LevelAlerts {
  const alerts: LevelAlerts = {};
  const changes: [LevelSpec, AlertChange[]][] = [];
  for (const level of spec.levels) {
    const before = prev?.alerts[level.severity];
    let active: VectorElement[] | undefined;
    for (const e of elements) if (holds(level.condition, e.value)) (active ??= []).push(e);
    if (active === undefined && (before === undefined || isEmpty(before))) continue;
    const now = context.now;
    const rule = evalRule({ timing: level, previous: before, active: active ?? NONE, now });
    if (rule.error !== undefined) errors.push(`${level.severity}: ${rule.error}`);
    if (!isEmpty(rule.alerts)) alerts[level.severity] = rule.alerts;
    if (rule.changes.length > 0) changes.push([level, rule.changes]);
  }
  if (changes.length > 0) recordTransitions(context, spec.name, alerts, changes);
  return alerts;
}

// A metric's prepared vector, or the reason it is unknown. Vectors are indexed once per
// evaluation and shared by every trigger that reads the metric.
function resolveInput(context: Context, name: string): IndexedVector | string {
  const cached = context.vectors.get(name);
  if (cached !== undefined) return cached;
  const input = context.inputs[name];
  if (input === undefined) return `no data for ${name}`;
  if (!Array.isArray(input)) {
    const reason = (input as { unknown?: unknown }).unknown;
    return `${name}: ${typeof reason === 'string' && reason !== '' ? reason : 'unknown'}`;
  }
  // Checked at the boundary so that a malformed sample can never throw inside the loop.
  if (!(input as readonly Series[]).every(isSeries)) {
    return `${name}: malformed series (need { labels, value: number })`;
  }
  const vector = indexVector(input);
  context.vectors.set(name, vector);
  return vector;
}

/** Why and how a trigger could not be evaluated. */
interface Failure {
  name: string;
  prev: TriggerState | undefined;
  now: number;
  error: string;
  /** The alerts kept from before, as instances (none for an invalid trigger). */
  instances?: InstanceStatus[];
}

// The trigger could not be evaluated: like a Prometheus query error, its alerts stay as they
// were (no transitions), its health is err, and its status is unknown.
function failed({ name, prev, now, error, instances = [] }: Failure): TriggerOutcome {
  const since = prev?.status === 'unknown' ? prev.since : now;
  const state: TriggerState = { status: 'unknown', since, alerts: prev?.alerts ?? {} };
  const health = { health: 'err', lastError: error } as const;
  return {
    state,
    status: { trigger: name, status: 'unknown', since, reason: error, ...health, instances },
  };
}

function recordTransitions(
  context: Context,
  trigger: string,
  alerts: LevelAlerts,
  changes: [LevelSpec, AlertChange[]][],
): void {
  const critical = alerts.critical;
  for (const [level, list] of changes) {
    if (list.length > 1) list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const change of list) {
      const transition: Transition = {
        t: context.now,
        trigger,
        severity: level.severity,
        labels: change.alert.labels,
        from: change.from,
        to: change.to,
        value: change.alert.value,
      };
      // Critical supersedes warning, like an Alertmanager inhibit rule on equal labels.
      if (level.severity === 'warning' && critical?.[change.key]?.state === 'firing') {
        transition.suppressed = true;
      }
      context.transitions.push(transition);
    }
  }
}

function nanMessage(nan: readonly Record<string, string>[], total: number): string {
  const shown = nan.slice(0, 3).map(formatLabels).join(', ');
  const more = nan.length > 3 ? ` and ${nan.length - 3} more` : '';
  return `expression gave NaN for ${shown}${more} (${nan.length} of ${total} series), dropped`;
}

function isEmpty(record: object): boolean {
  for (const _ in record) return false;
  return true;
}

const SEVERITIES: readonly Severity[] = ['warning', 'critical'];

/**
 * Problems with a trigger spec, as sentences (empty when it is valid). The plan layer calls it
 * at load to report plan errors; the engine calls it too and marks an invalid trigger err.
 */
export function validateTrigger(spec: TriggerSpec): string[] {
  if (typeof spec !== 'object' || spec === null) return ['trigger must be an object'];
  const problems: string[] = [];
  if (typeof spec.name !== 'string' || spec.name === '')
    problems.push('name must be a non-empty string');
  const inputs: unknown = spec.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0)
    problems.push('inputs must list at least one metric');
  else if (inputs.some((i) => typeof i !== 'string' || i === ''))
    problems.push('inputs must be metric names');
  else if (new Set(inputs).size !== inputs.length) problems.push('inputs must not repeat a metric');
  if (typeof spec.compute !== 'function') problems.push('compute must be a function');
  const levels: unknown = spec.levels;
  if (!Array.isArray(levels) || levels.length === 0 || levels.length > 2) {
    problems.push('levels must hold one or two levels (warning, critical)');
    return problems;
  }
  const seen = new Set<unknown>();
  for (const level of levels as LevelSpec[]) {
    const where = typeof level?.severity === 'string' ? level.severity : 'level';
    if (!SEVERITIES.includes(level?.severity))
      problems.push(`${where}: severity must be warning or critical`);
    else if (seen.has(level.severity)) problems.push(`${where}: only one level per severity`);
    seen.add(level?.severity);
    for (const p of conditionProblems(level?.condition)) problems.push(`${where}: ${p}`);
    for (const field of ['forMs', 'keepFiringForMs'] as const) {
      const ms = level?.[field];
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        problems.push(`${where}: ${field} must be a duration in ms (>= 0)`);
      }
    }
  }
  return problems;
}

const STATUSES: readonly string[] = ['ok', 'pending', 'warning', 'critical', 'unknown'];

/**
 * Rebuilds engine state from persisted JSON (`store.loadState`): undefined for anything that
 * is not a version-1 state, and malformed triggers or alerts are dropped rather than trusted.
 * A value stored as null (JSON has no ±Inf) comes back as NaN until the next evaluation.
 */
export function restoreState(json: unknown): EngineState | undefined {
  const raw = json as Partial<EngineState> | null | undefined;
  if (raw?.version !== 1 || typeof raw.triggers !== 'object' || raw.triggers === null)
    return undefined;
  const state: EngineState = { version: 1, triggers: Object.create(null) as TriggerStates };
  for (const [name, trigger] of Object.entries(raw.triggers as Record<string, unknown>)) {
    const t = trigger as Partial<TriggerState> | null;
    if (!t || !STATUSES.includes(t.status as string) || !Number.isFinite(t.since)) continue;
    const alerts: LevelAlerts = {};
    for (const severity of SEVERITIES) {
      const record = restoreAlerts(t.alerts?.[severity]);
      if (record !== undefined) alerts[severity] = record;
    }
    state.triggers[name] = { status: t.status!, since: t.since!, alerts };
  }
  return state;
}
