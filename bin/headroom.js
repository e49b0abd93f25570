#!/usr/bin/env node
// Entry point. Runs the compiled CLI in dist/ (`npm run build`, which `npm ci` runs through
// `prepare`) when no source file is newer than the build; otherwise — a source edited since, no
// build yet, or HEADROOM_FROM_SOURCE=1 — the TypeScript sources through tsx's loader, so an
// edit is never run stale and the development loop needs no build step.
import { readdirSync, statSync } from 'node:fs';

const src = new URL('../src/', import.meta.url);
const stamp = new URL('../dist/.built', import.meta.url);

/** True when dist/ was built after the last change under src/. */
function compiledIsFresh() {
  if (process.env.HEADROOM_FROM_SOURCE === '1') return false;
  let built;
  try {
    built = statSync(stamp).mtimeMs;
  } catch {
    return false;
  }
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    if (statSync(`${entry.parentPath}/${entry.name}`).mtimeMs > built) return false;
  }
  return true;
}

let main;
if (compiledIsFresh()) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv);
