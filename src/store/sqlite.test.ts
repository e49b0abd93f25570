import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { HeadroomError } from '../errors.ts';
import { openSqliteStore, SQLITE_SCHEMA_VERSION } from './sqlite.ts';
import { runStoreContract } from './store.contract.ts';
import type { Store } from './store.ts';

/** A fresh temp dir, removed by the returned function. */
function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-store-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Asserts a promise rejects with STORE_IO whose message names `path` and matches `advice`. */
async function rejectsWithStoreIo(
  promise: Promise<unknown>,
  path: string,
  advice: RegExp,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof HeadroomError, `expected HeadroomError, got ${String(error)}`);
    assert.equal(error.code, 'STORE_IO');
    assert.ok(error.message.includes(path), `message should name ${path}: ${error.message}`);
    assert.match(error.message, advice);
    return true;
  });
}

runStoreContract('SqliteStore (file)', async () => {
  const { dir, remove } = tempDir();
  const path = join(dir, 'nested', 'headroom.db');
  const opened: Store[] = [await openSqliteStore({ path })];
  return {
    store: opened[0] as Store,
    reopen: async () => {
      const store = await openSqliteStore({ path });
      opened.push(store);
      return store;
    },
    cleanup: async () => {
      for (const store of opened) await store.close();
      remove();
    },
  };
});

describe('SqliteStore', () => {
  it('puts the file in WAL mode at the chosen durability', async () => {
    const { dir, remove } = tempDir();
    try {
      const path = join(dir, 'wal.db');
      const store = await openSqliteStore({ path, synchronous: 'full' });
      await store.append([{ metric: 'cpu', labels: {}, value: 1, at: 1 }]);
      const raw = new Database(path, { readonly: true });
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(raw.pragma('user_version', { simple: true }), SQLITE_SCHEMA_VERSION);
      raw.close();
      await store.close();
    } finally {
      remove();
    }
  });

  it('keeps an append that resolved before the process was killed', async () => {
    const { dir, remove } = tempDir();
    try {
      const path = join(dir, 'crash.db');
      const moduleUrl = pathToFileURL(join(import.meta.dirname, 'sqlite.ts')).href;
      const script = [
        `const { openSqliteStore } = await import(${JSON.stringify(moduleUrl)});`,
        `const store = await openSqliteStore({ path: ${JSON.stringify(path)} });`,
        `await store.append([{ metric: 'cpu', labels: { host: 'a' }, value: 0.42, at: 1000 }]);`,
        `await store.saveState('alerts/cpu', { state: 'firing' });`,
        `process.kill(process.pid, 'SIGKILL');`,
      ].join('\n');
      const child = spawnSync(process.execPath, [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
      ]);
      assert.equal(child.signal, 'SIGKILL', child.stderr.toString());
      const store = await openSqliteStore({ path });
      assert.deepEqual(await store.range('cpu', { host: 'a' }, 0, 2000), [
        { at: 1000, value: 0.42 },
      ]);
      assert.deepEqual(await store.loadState('alerts/cpu'), { state: 'firing' });
      await store.close();
    } finally {
      remove();
    }
  });

  it('refuses a file that is not a database, naming it and saying to move it aside', async () => {
    const { dir, remove } = tempDir();
    try {
      const path = join(dir, 'corrupt.db');
      writeFileSync(path, 'this is a plan, not a database\n'.repeat(200));
      await rejectsWithStoreIo(openSqliteStore({ path }), path, /move it aside/);
    } finally {
      remove();
    }
  });

  it('refuses a path it cannot create, naming it and saying to choose another', async () => {
    const { dir, remove } = tempDir();
    try {
      const file = join(dir, 'a-file');
      writeFileSync(file, '');
      const path = join(file, 'headroom.db');
      await rejectsWithStoreIo(openSqliteStore({ path }), path, /choose another store path/);
    } finally {
      remove();
    }
  });

  it('refuses a store written by a newer schema instead of guessing', async () => {
    const { dir, remove } = tempDir();
    try {
      const path = join(dir, 'future.db');
      const raw = new Database(path);
      raw.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
      raw.close();
      await rejectsWithStoreIo(openSqliteStore({ path }), path, /newer headroom/);
    } finally {
      remove();
    }
  });

  it('stores times as whole milliseconds', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    await store.append([{ metric: 'cpu', labels: {}, value: 1, at: 1000.6 }]);
    assert.deepEqual(await store.range('cpu', {}, 0, 5000), [{ at: 1001, value: 1 }]);
    await store.close();
  });
});
