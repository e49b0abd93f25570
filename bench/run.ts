/**
 * Runs every `bench/*.bench.ts` (or those whose name contains an argument) and prints their
 * tables. Each bench module exports `run(): Promise<string>` returning its Markdown table.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

let failed = false;
for (const file of files) {
  console.error(`running ${file} ...`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as {
    run: () => Promise<string>;
  };
  const table = await mod.run();
  console.log(table);
  if (table.includes('❌')) failed = true;
}
process.exitCode = failed ? 1 : 0;
