/**
 * The worker thread that rebuilds the live roadmap off the serve loop's event loop, so the API
 * and live updates keep answering while forecasts are fitted. It compiles the plan from its
 * text once, opens its own connection to the SQLite store (WAL lets it read while the loop
 * writes), and answers each `RoadmapRequest` with a roadmap or an error message. Its rebuilds
 * share one memory of model choices, so a forecast's model is chosen again only now and then.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ChoiceMemory } from '../forecast/index.ts';
import { parsePlan } from '../plan/load.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import { buildRoadmap, type RoadmapRequest } from './roadmap-build.ts';

/** What the thread is started with. */
export interface RoadmapWorkerData {
  planText: string;
  planFile: string;
  storePath: string;
}

const data = workerData as RoadmapWorkerData;
const plan = parsePlan(data.planText, data.planFile);
const store = await openSqliteStore({ path: data.storePath });
const choices = new ChoiceMemory();

parentPort!.on('message', (message: { id: number; request: RoadmapRequest } | 'close') => {
  if (message === 'close') {
    void store.close().then(() => parentPort!.close());
    return;
  }
  buildRoadmap(plan, store, message.request, choices).then(
    (roadmap) => parentPort!.postMessage({ id: message.id, roadmap }),
    (err: Error) => parentPort!.postMessage({ id: message.id, error: err.message }),
  );
});
