// Starts the roadmap worker thread: registers tsx's loader (a worker does not inherit the
// one bin/headroom.js registered), then runs the TypeScript module.
import { register } from 'tsx/esm/api';

register();
await import('./roadmap-worker.ts');
