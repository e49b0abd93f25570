/**
 * `headroom serve --plan F [--host 127.0.0.1] [--port 8080] [--token T]` — runs the plan's loop
 * (collect → store → evaluate, and the live roadmap every minute) and serves the REST API under
 * `/api/` (`/api/status` first, `/api/openapi.json`) and `/metrics`. An edit of the plan file
 * reloads it; a bad edit keeps the running plan and shows its errors. Ctrl-C stops it cleanly.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { HeadroomError } from '../errors.ts';
import { Registry } from 'prom-client';
import { createActuator } from '../actuators/from-plan.ts';
import { loadPlan } from '../plan/load.ts';
import type { Plan } from '../plan/types.ts';
import type { ActuatorFactory } from '../runtime/autoscale-stage.ts';
import { PlanWatcher } from '../runtime/plan-watch.ts';
import { ServeLoop } from '../runtime/serve-loop.ts';
import { buildApp } from '../server/app.ts';
import { assertSafeListen } from '../server/auth.ts';
import { UpdateHub } from '../server/events.ts';
import { openSqliteStore } from '../store/sqlite.ts';

/**
 * The actuators of a plan's pools, from their `actuator:` entries (a pool without one is
 * advisory). A bad entry makes its pool inactive with the located error, not the server fail.
 * `/metrics` publishes every pool's desired replicas (`headroom_desired_replicas`), so the
 * `prometheus` kind's own gauge stays in a registry of its own rather than clash with it.
 */
function actuatorsFor(plan: Plan): ActuatorFactory {
  return (pool, config) =>
    config
      ? createActuator(pool, config, {
          registry: new Registry(),
          baseDir: dirname(plan.file),
          locate: (path) => plan.map.locate(path),
          log: (line) => process.stderr.write(`${line}\n`),
        })
      : undefined;
}

/** Says, once per (re)load, which notify entries send nothing and why. */
function reportNotify(loop: ServeLoop): void {
  for (const p of loop.state.notify?.problems ?? [])
    process.stderr.write(`notify: ${p.message}${p.hint ? ` (${p.hint})` : ''}\n`);
}

/** Registers `serve`. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'run the plan continuously and serve its API (/api/status, /api/openapi.json) and /metrics',
    )
    .requiredOption('--plan <file>', 'plan file')
    .option('--host <host>', 'address to listen on (beyond loopback needs a token)', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .option('--token <token>', 'access token required on every request (default: $HEADROOM_TOKEN)')
    .option('--store <file>', 'SQLite store for samples and alert state', '.headroom/headroom.db')
    .action(
      async (options: {
        plan: string;
        host: string;
        port: string;
        token?: string;
        store: string;
      }) => {
        const plan = loadPlan(options.plan);
        const token = options.token ?? process.env.HEADROOM_TOKEN ?? undefined;
        assertSafeListen(options.host, token);
        const port = Number(options.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new HeadroomError('USAGE', `--port "${options.port}" is not a port`, {
            hint: 'write e.g. --port 8080, or 0 for any free port',
          });
        mkdirSync(dirname(options.store), { recursive: true });
        const store = await openSqliteStore({ path: options.store });
        const hub = new UpdateHub();
        const loopFor = (p: Plan): ServeLoop =>
          new ServeLoop({
            plan: p,
            store,
            now: Date.now,
            onStep: () => hub.notify(),
            actuatorFor: actuatorsFor(p),
          });
        let loop = loopFor(plan);
        let planErrors: Record<string, unknown>[] | undefined;
        let loadedAt = Date.now();
        const app = await buildApp({
          state: () => ({ ...loop.state, loadedAt, planErrors }),
          token: token || undefined,
          updates: hub,
        });
        // A good edit swaps the loop atomically; a bad one keeps the running plan and shows why.
        let swapping = Promise.resolve();
        const watcher = new PlanWatcher(options.plan, (outcome) => {
          swapping = swapping.then(async () => {
            if ('errors' in outcome) {
              planErrors = outcome.errors;
              process.stderr.write(
                `${options.plan} has ${outcome.errors.length} error(s): still running the previous plan\n`,
              );
              return;
            }
            const next = loopFor(outcome.plan);
            const previous = loop;
            // The last good roadmap and the alert history stay served until the new plan's
            // first rebuild lands (it runs in a thread, beside the loop).
            next.state = {
              ...next.state,
              roadmap: previous.state.roadmap,
              transitions: previous.state.transitions,
            };
            loop = next;
            reportNotify(next);
            planErrors = undefined;
            loadedAt = Date.now();
            await previous.stop();
            next.start();
            process.stderr.write(`reloaded ${options.plan}\n`);
          });
        });
        let address: string;
        try {
          address = await app.listen({ host: options.host, port });
        } catch (err) {
          await store.close();
          throw new HeadroomError(
            'USAGE',
            `cannot listen on ${options.host}:${port}: ${(err as Error).message}`,
            {
              hint: 'choose another --port, or stop what is using it',
            },
          );
        }
        reportNotify(loop);
        loop.start();
        watcher.start();
        process.stderr.write(
          `headroom serving ${plan.name} at ${address}/api/status (Ctrl-C stops)\n`,
        );
        await new Promise<void>((resolve) => {
          const stop = (): void => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        process.stderr.write('stopping ...\n');
        watcher.stop();
        await swapping;
        await app.close();
        await loop.stop();
        if (loop.undelivered > 0)
          process.stderr.write(
            `notify: ${loop.undelivered} notification(s) wait for a channel that is down; they are kept in ${options.store} and sent when serve starts again\n`,
          );
        await store.close();
      },
    );
}
