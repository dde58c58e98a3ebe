/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: true },
  preview: { strictPort: true },
  // One bundle of about 200 kB gzipped (React, Mantine, Apollo): small enough that
  // splitting it by route would cost more round trips than it saves. Only the QR-code
  // encoder, needed once when setting up an authenticator app, is loaded on demand.
  build: { chunkSizeWarningLimit: 800 },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
