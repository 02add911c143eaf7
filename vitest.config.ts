import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: e2e tests spawn real processes with worker pools; keep file parallelism modest.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
