import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePlan } from '../../plan/load.ts';
import type { QueueTargetSpec } from '../types.ts';
import { poolSize } from './workers.ts';

const plan = parsePlan(
  `
version: 1
name: pools
sources:
  jobs: { kind: bullmq, url: "redis://127.0.0.1:6379/0" }
  prom: { kind: prometheus, url: "http://127.0.0.1:9", timeout: 200ms }
metrics:
  depth: { from: jobs, queue: q, field: waiting }
  running: { from: prom, query: up }
components:
  plain: { kind: worker, queue: depth, replicas: 5 }
  counted: { kind: worker, queue: depth, replicas: { current: 4, max: 10 } }
  measured: { kind: worker, queue: depth, replicas: { metric: running, current: 3 } }
  unsized: { kind: worker, queue: depth }
`,
  'pools.yaml',
  { env: {} },
);

function spec(component?: string, kind: QueueTargetSpec['kind'] = 'bullmq'): QueueTargetSpec {
  return {
    ref: 'x',
    source: 'jobs',
    kind,
    name: 'q',
    job: { name: 'j', data: {} },
    ...(component ? { component } : {}),
  };
}

describe('poolSize', () => {
  const cases = [
    {
      name: '--workers wins',
      args: [spec('counted'), 7] as const,
      want: { workers: 7, from: 'flag' },
    },
    {
      name: 'a plain replica count',
      args: [spec('plain')] as const,
      want: { workers: 5, from: 'replicas.current' },
    },
    {
      name: 'replicas.current',
      args: [spec('counted')] as const,
      want: { workers: 4, from: 'replicas.current' },
    },
    {
      name: 'replicas.metric that cannot be read falls back to current',
      args: [spec('measured')] as const,
      want: { workers: 3, from: 'replicas.current' },
    },
    {
      name: "RabbitMQ's consumer count when the plan has no size",
      args: [spec('unsized', 'rabbitmq'), undefined, 6] as const,
      want: { workers: 6, from: 'consumers' },
    },
    {
      name: 'unknown otherwise',
      args: [spec('unsized'), undefined, 6] as const,
      want: { from: 'unknown' },
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const [s, flag, consumers] = c.args as unknown as [QueueTargetSpec, number?, number?];
      assert.deepEqual(await poolSize(plan, s, flag, consumers), c.want);
    });
  }
});
