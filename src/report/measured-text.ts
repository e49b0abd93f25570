/**
 * Measured capacities for people, shared by the roadmap, `whatif` and `forecast`: the roadmap's
 * formula beside what a load test measured — `formula 3.5/s per replica; measured 41/s per
 * replica at http_req_duration: p(95)<300 (breakpoint, 2026-12-07)`.
 */
import type { MeasuredView } from '../capacity/measured.ts';
import { formatValue } from './format.ts';

/** The formula beside the measurement, with the thresholds it held, how and when. */
export function measuredText(m: MeasuredView, unit: string): string {
  const per = m.perReplica ? ' per replica' : '';
  const formula =
    m.formula === undefined
      ? 'formula not evaluable here (it reads live metrics): the measurement is used as is'
      : `formula ${formatValue(m.formula, unit)}${per}`;
  const held = m.held.length ? ` at ${m.held.join(', ')}` : '';
  const how = m.scenario === m.method ? m.method : `${m.method}, scenario ${m.scenario}`;
  const measured = `measured ${formatValue(m.value, unit)}${per}${held} (${how}, ${m.at.slice(0, 10)})`;
  // The formula has changed since the measurement (or the configuration differs): say what applies.
  const applied =
    m.applied !== undefined && Math.abs(m.applied - m.value) > 0.005 * Math.abs(m.value)
      ? `; ${formatValue(m.applied, unit)}${per} in this configuration (× ${Number(m.factor!.toPrecision(3))} the formula)`
      : '';
  return `${formula}; ${measured}${applied}`;
}

/** A capacity cell: `164/s (measured; formula 14/s)` for a measured one, else the value alone. */
export function capacityText(
  capacity: number | undefined,
  formulaCapacity: number | undefined,
  measured: MeasuredView | undefined,
  unit: string,
  format: (v: number | undefined, unit: string) => string = formatValue,
): string {
  if (!measured) return format(capacity, unit);
  const formula = formulaCapacity === undefined ? '' : `; formula ${format(formulaCapacity, unit)}`;
  return `${format(capacity, unit)} (measured${formula})`;
}

/** A measured capacity in `--json` (snake_case, canonical units; null when none was measured). */
export function measuredDocument(m: MeasuredView | undefined): Record<string, unknown> | null {
  if (!m) return null;
  return {
    value: m.value,
    per_replica: m.perReplica,
    held: m.held,
    at: m.at,
    scenario: m.scenario,
    method: m.method,
    formula: m.formula,
    factor: m.factor,
    applied: m.applied,
  };
}
