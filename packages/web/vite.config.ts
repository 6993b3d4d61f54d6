// Builds the UI into dist/, which the server serves at /. `npm run dev -w @coffer/web` proxies the
// API to a server started with `npm start` (port 8080), so the session cookie stays same-origin.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1200 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
