/**
 * Builds the dashboard (web/) into web/dist, which `headroom serve` serves at `/`:
 * `npm run build:web`. For work on the dashboard, `npx vite --config web/vite.config.ts` serves
 * it with hot reload and sends `/api` and `/metrics` to a running `headroom serve`
 * (HEADROOM_URL, default http://127.0.0.1:8080).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const target = process.env.HEADROOM_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  // Everything is bundled; nothing is fetched from elsewhere at run time.
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 200,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target, changeOrigin: false },
      '/metrics': { target, changeOrigin: false },
    },
  },
});
