/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev` proxies the API to a local `tonearm serve`, so the page and the API share an
// origin (the analysers see the audio, cookies work) just as when the server serves the build.
const server = process.env.TONEARM_DEV_SERVER ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks: {
          react: ['react', 'react-dom', 'react-router-dom'],
          mantine: ['@mantine/core', '@mantine/hooks', '@mantine/notifications'],
          audio: ['wavesurfer.js', 'audiomotion-analyzer'],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': {
        target: server,
        changeOrigin: true,
        ws: true,
        // The server lets the session cookie open a websocket only from its own origin's
        // pages (api/cors.py); through this proxy our pages' origin is the dev server's, so
        // theirs (only theirs: another site's page stays refused) is passed on as the server's.
        configure: (proxy) => {
          proxy.on('proxyReqWs', (proxyReq, req) => {
            if (req.headers.origin === `http://${req.headers.host}`) {
              proxyReq.setHeader('Origin', new URL(server).origin);
            }
          });
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    css: false,
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
