/**
 * The plan `headroom demo` runs: `examples/irisx.yaml` as written, with two changes the demo
 * states when it starts. The roadmap's Phase 2 brings in autoscaled worker pools ("1 → 3-5
 * instances", target-latency in the plan); the demo turns that on now, for 1 to 5 workers per
 * channel, so the autoscaler can be seen at work before the simulated IRISX reaches Phase 2.
 * Its alerts are notified on the console only: a simulation must not page anyone.
 * Everything else (metrics, triggers, tiers, costs, checklists) is the irisx plan itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { EXAMPLES_DIR } from '../cli/init.ts';
import { parsePlan } from '../plan/load.ts';
import type { Plan } from '../plan/types.ts';
import { DEMO_POOLS } from './irisx-world.ts';

/** The plan file the demo is built from. */
export const DEMO_PLAN_FILE = join(EXAMPLES_DIR, 'irisx.yaml');

/** Each worker pool's bounds in the demo. */
export const DEMO_REPLICAS = { min: 1, max: 5 } as const;

/** What the demo changes in the irisx plan, one line each (printed at start, in docs). */
export const DEMO_CHANGES: readonly string[] = [
  `worker pools ${DEMO_POOLS.join(', ')} autoscale now (target-latency, wait_p95 <= 60s), ${DEMO_REPLICAS.min}-${DEMO_REPLICAS.max} workers each; the roadmap waits for Phase 2`,
  'alerts are notified on this console only (the log channel): a simulation pages no one, so the plan’s Slack and PagerDuty channels are left out',
];

/** The demo plan's YAML text. */
export function demoPlanText(): string {
  const doc = parseDocument(readFileSync(DEMO_PLAN_FILE, 'utf8'));
  for (const pool of DEMO_POOLS) {
    if (!doc.hasIn(['autoscale', pool]))
      throw new Error(`${DEMO_PLAN_FILE} has no autoscale.${pool}`);
    doc.deleteIn(['autoscale', pool, 'from_tier']);
    doc.setIn(['autoscale', pool, 'min'], DEMO_REPLICAS.min);
    doc.setIn(['autoscale', pool, 'max'], DEMO_REPLICAS.max);
    doc.setIn(['components', pool, 'replicas', 'min'], DEMO_REPLICAS.min);
    doc.setIn(['components', pool, 'replicas', 'max'], DEMO_REPLICAS.max);
  }
  doc.set('notify', doc.createNode([{ kind: 'log' }]));
  return String(doc);
}

/** The compiled demo plan. */
export function demoPlan(): Plan {
  return parsePlan(demoPlanText(), `${DEMO_PLAN_FILE} (demo)`);
}
