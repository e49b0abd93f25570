// Compiles the CLI to JavaScript in dist/ (run by `npm ci` through `prepare`, and by pretest):
// tsc with the project's settings, `.ts` imports rewritten to `.js`, the files the code reads
// beside itself (the KEDA proto) copied, and a stamp that bin/headroom.js compares with the
// sources — it runs dist/ only when no source file is newer, so an edit never runs stale.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
const started = Date.now();

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (result.status !== 0) {
  console.error('build: tsc failed; bin/headroom.js runs the sources through tsx until it passes');
  rmSync(dist, { recursive: true, force: true });
  process.exit(result.status ?? 1);
}
const ASSETS = ['.proto'];
for (const file of readdirSync(src, { recursive: true }).map(String)) {
  if (!ASSETS.some((ext) => file.endsWith(ext))) continue;
  mkdirSync(dirname(join(dist, file)), { recursive: true });
  cpSync(join(src, file), join(dist, file));
}
// The stamp's mtime is the build's start: a source saved during the build counts as newer.
writeFileSync(join(dist, '.built'), `${new Date(started).toISOString()}\n`);
utimesSync(join(dist, '.built'), started / 1000, started / 1000);
console.error(`build: ${relative(root, dist)}/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
