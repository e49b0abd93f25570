/**
 * Plans of any size for speed tests and benchmarks, shaped like the example plans grown large:
 * groups of ten components (a stream per group whose model is the sum of its members, queues
 * with storage models on the driver, worker pools with per-replica throughput, services whose
 * capacity is a metric) read from one Prometheus source, one trigger per component on a
 * utilization or a formula, and tiers that `set` capacities and replica counts. Everything a
 * plan holds is deterministic in `size`.
 */

/** How large a plan to write. */
export interface GeneratedPlanSize {
  /** Components (and as many triggers): 100, 1,000, 10,000. */
  components: number;
  /** Tiers, each setting a capacity of every tenth component (default 3). */
  tiers?: number;
}

/** YAML text of a valid plan with `components` components and as many triggers. */
export function generatedPlanText({ components, tiers = 3 }: GeneratedPlanSize): string {
  const lines: string[] = [
    'version: 1',
    `name: generated-${components}`,
    'description: A plan written by src/testing/generated-plan.ts for speed tests.',
    'interval: 15s',
    'units: [company]',
    'params:',
    '  retention: 7 day',
    '  per_company: 50 msg/day',
  ];
  const groups = Math.ceil(components / 10);
  for (let g = 0; g < groups; g++) lines.push(`  size_${g}: ${1 + (g % 9)} kB`);
  lines.push(
    'sources:',
    '  prom: { kind: prometheus, url: "http://127.0.0.1:9" }',
    'metrics:',
    '  companies_count: { from: prom, query: "companies" }',
  );
  for (let i = 0; i < components; i++) {
    lines.push(`  used_${i}: { from: prom, query: 'used{component="c${i}"}', unit: B }`);
    lines.push(
      `  rate_${i}: { from: prom, query: 'rate(done{component="c${i}"}[5m])', unit: msg/s }`,
    );
  }
  lines.push(
    'drivers:',
    '  companies: { metric: companies_count, value: 1000, growth: 10/week }',
    'components:',
  );
  for (let i = 0; i < components; i++) lines.push(...componentLines(i, components));
  lines.push('triggers:');
  for (let i = 0; i < components; i++) lines.push(...triggerLines(i));
  lines.push('tiers:');
  for (let t = 0; t < tiers; t++) lines.push(...tierLines(t, components));
  return `${lines.join('\n')}\n`;
}

function componentLines(i: number, total: number): string[] {
  const group = Math.floor(i / 10);
  const name = `c${i}`;
  if (i % 10 === 0) {
    // The group's stream: its model is the sum of the queues of its group.
    const members = [];
    for (let j = i + 1; j < Math.min(i + 10, total); j++) {
      if (j % 10 !== 3 && j % 10 !== 6) members.push(`c${j}.storage.model`);
    }
    return [
      `  ${name}:`,
      '    kind: queue',
      `    capacity: { storage: ${50 + (group % 50)} GB }`,
      `    usage: { storage: used_${i} }`,
      ...(members.length > 0 ? [`    model: { storage: ${members.join(' + ')} }`] : []),
    ];
  }
  if (i % 10 === 3) {
    return [
      `  ${name}:`,
      '    kind: worker',
      `    queue: used_${i}`,
      `    per_replica: { throughput: ${10 + (i % 90)} msg/s }`,
      `    usage: { throughput: rate_${i} }`,
      '    model: { throughput: companies * per_company }',
      `    replicas: { current: ${1 + (i % 4)}, min: 1, max: 20 }`,
    ];
  }
  if (i % 10 === 6) {
    return [
      `  ${name}:`,
      '    kind: service',
      `    capacity: { memory: 4 GB, requests: rate_${i} * 2 }`,
      `    usage: { memory: used_${i}, requests: rate_${i} }`,
      '    replicas: { current: 2, min: 1, max: 8 }',
    ];
  }
  return [
    `  ${name}:`,
    '    kind: queue',
    `    capacity: { storage: ${1 + (i % 20)} GB }`,
    `    usage: { storage: used_${i} }`,
    `    model: { storage: companies * per_company * retention * size_${group} }`,
  ];
}

function triggerLines(i: number): string[] {
  const resource = i % 10 === 3 ? 'throughput' : i % 10 === 6 ? 'memory' : 'storage';
  // One trigger in five is a formula over two metrics rather than a utilization.
  const expr =
    i % 5 === 4
      ? `used_${i} / (rate_${i} * 1 s * 1 kB/msg + 1 MB)`
      : `c${i}.${resource}.utilization`;
  return [
    `  - name: t${i}`,
    `    component: c${i}`,
    `    expr: ${expr}`,
    '    for: 5m',
    `    warning: { when: "> ${60 + (i % 20)}%", action: Plan the next size of c${i} }`,
    `    critical: { when: "> ${85 + (i % 10)}%", action: Grow c${i} now }`,
  ];
}

function tierLines(t: number, components: number): string[] {
  const lines = [
    `  - name: Tier ${t}`,
    `    until: { companies: ${1000 * 10 ** (t + 1)} }`,
    `    cost: { fixed: ${100 * (t + 1)} USD/month }`,
    '    set:',
  ];
  for (let i = 0; i < components; i += 10) {
    lines.push(`      c${i}.capacity.storage: ${(50 + ((i / 10) % 50)) * 2 ** (t + 1)} GB`);
  }
  return lines;
}
