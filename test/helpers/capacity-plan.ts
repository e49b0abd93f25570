/**
 * A small plan with known answers for the capacity model's tests: a store whose storage grows
 * 1 MB per company, an API whose requests grow 1/min per company on 2 replicas of 10 req/s, a
 * database measured only, a mail worker pool (6 msg/s on 4 replicas of 2 msg/s, p95 wait ≤ 1 s)
 * and two tiers with costs and revenue.
 */
import { parsePlan } from '../../src/plan/load.ts';
import type { Plan } from '../../src/plan/types.ts';

/** The plan text (companies grow 10/week from 1,000). */
export const SHOP_PLAN = `
version: 1
name: shop
units: [company]
params:
  bytes_per_company: 1 MB
sources:
  prom: { kind: prometheus, url: "http://127.0.0.1:9" }
metrics:
  companies_count: { from: prom, query: "companies" }
  storage_used: { from: prom, query: "storage", unit: B }
  db_conns: { from: prom, query: "conns" }
  sms_sent_total: { from: prom, query: "sms" }
  mail_pending: { from: prom, query: "mail" }
drivers:
  companies: { metric: companies_count, value: 1000, growth: 10/week }
components:
  store:
    capacity: { storage: 2 GB }
    usage: { storage: storage_used }
    model: { storage: companies * bytes_per_company }
  db:
    capacity: { connections: 100 conn }
    usage: { connections: db_conns }
  api:
    per_replica: { requests: 10 req/s }
    model: { requests: companies * 1 req/min }
    replicas: { current: 2, max: 4 }
  mailer:
    kind: worker
    queue: mail_pending
    per_replica: { throughput: 2 msg/s }
    model: { throughput: companies * 0.006 msg/s }
    replicas: { current: 4, max: 40 }
triggers:
  - name: storage
    expr: store.storage.utilization
    warning: { when: "> 70%", lead_time: 2w, action: Grow the volume }
    critical: { when: "> 85%", action: Grow the volume now }
  - name: db-conns
    expr: db_conns
    warning: { when: "> 80", action: Add a pooler }
tiers:
  - { name: Small, status: deployed, until: { companies: 1500 }, cost: 100 USD/month }
  - name: Large
    until: { companies: 10000 }
    cost: 400 USD/month
    set: { store.capacity.storage: 20 GB, api.replicas.max: 40 }
    changes: [Bigger volume, More API replicas allowed]
unit_costs:
  sms: { metric: sms_sent_total, price: 0.01 USD/msg }
revenue: { driver: companies, price: 10 USD/month, healthy_coverage: 5 }
autoscale:
  mailer: { policy: target-latency, slo: "wait_p95 <= 1s" }
scenarios:
  - { name: spike, scale: 10x, for: 24h }
`;

/** The compiled shop plan. */
export function shopPlan(): Plan {
  return parsePlan(SHOP_PLAN, 'shop.yaml', { env: {} });
}

/** Epoch ms of the tests' "now". */
export const NOW = Date.UTC(2026, 0, 5);
/** One week, ms. */
export const WEEK_MS = 604_800_000;
