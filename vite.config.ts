/**
 * Vite config for the playground. Cross-origin isolation (COOP/COEP) is set on
 * dev, preview and (via public/_headers) the built site, because multi-threaded
 * WASM needs SharedArrayBuffer.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export default defineConfig({
  plugins: [react()],
  server: { headers: isolationHeaders, host: '127.0.0.1' },
  preview: { headers: isolationHeaders, host: '127.0.0.1' },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web', 'mujoco-js'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 16000 },
});
