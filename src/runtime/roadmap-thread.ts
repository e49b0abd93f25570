/**
 * The serve loop's handle on the roadmap worker thread (`roadmap-worker.ts`): one thread per
 * loaded plan, one rebuild at a time. When the plan has no text or the store is not a SQLite
 * file (nothing for a thread to open), the rebuild runs in this thread instead.
 */
import { Worker } from 'node:worker_threads';
import { ChoiceMemory } from '../forecast/index.ts';
import type { Plan } from '../plan/types.ts';
import type { Roadmap } from '../report/roadmap-data.ts';
import type { Store } from '../store/store.ts';
import { buildRoadmap, type RoadmapRequest } from './roadmap-build.ts';
import type { RoadmapWorkerData } from './roadmap-worker.ts';

type Reply = { id: number; roadmap?: Roadmap; error?: string };

/** Rebuilds roadmaps in a worker thread when it can. */
export class RoadmapThread {
  private worker: Worker | undefined;
  private nextId = 0;
  // Model choices of the rebuilds that run in this thread (the worker keeps its own).
  private readonly choices = new ChoiceMemory();
  private readonly waiting = new Map<
    number,
    { resolve: (r: Roadmap) => void; reject: (e: Error) => void }
  >();

  constructor(
    private readonly plan: Plan,
    private readonly store: Store,
  ) {}

  /** True when rebuilds run off the event loop. */
  get threaded(): boolean {
    return this.plan.text !== undefined && storePath(this.store) !== undefined;
  }

  /** One rebuild. */
  build(request: RoadmapRequest): Promise<Roadmap> {
    if (!this.threaded) return buildRoadmap(this.plan, this.store, request, this.choices);
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, request });
    });
  }

  /** Ends the thread (waits for it to close its store connection). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('close');
    const timer = setTimeout(() => void worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const workerData: RoadmapWorkerData = {
      planText: this.plan.text!,
      planFile: this.plan.file,
      storePath: storePath(this.store)!,
    };
    const worker = new Worker(workerEntry(), { workerData });
    worker.on('message', (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.roadmap) waiter?.resolve(reply.roadmap);
      else waiter?.reject(new Error(reply.error ?? 'the roadmap thread answered nothing'));
    });
    const fail = (err: Error): void => {
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
      if (this.worker === worker) this.worker = undefined;
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (code !== 0) fail(new Error(`the roadmap thread exited with code ${code}`));
      else fail(new Error('the roadmap thread stopped'));
    });
    this.worker = worker;
    return worker;
  }
}

function storePath(store: Store): string | undefined {
  const path = (store as { path?: unknown }).path;
  return typeof path === 'string' && path !== ':memory:' ? path : undefined;
}

/**
 * The worker's entry: the compiled module when this one is compiled (`dist/`), else the entry
 * that registers tsx's loader first (a worker does not inherit the one of the main thread).
 */
function workerEntry(): URL {
  return import.meta.url.endsWith('.js')
    ? new URL('./roadmap-worker.js', import.meta.url)
    : new URL('./roadmap-worker-entry.mjs', import.meta.url);
}
