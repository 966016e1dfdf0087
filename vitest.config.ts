import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'e2e/**/*.test.ts'],
    // Generous: several tests start processes, servers and browsers, and a loaded 2-core
    // machine can be many times slower than an idle one. A hang still fails.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores: more forks than that only adds contention.
    maxWorkers: 2,
  },
});
