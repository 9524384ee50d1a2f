import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Two projects: pure unit tests start nothing; integration tests share the real Postgres, Redis and
// Dovecot that the global setup starts once per run.
export default defineConfig({
  test: {
    pool: 'forks',
    // Vitest's default is one file at a time per core but one, a single file on 2 cores; integration
    // files spend most of their time waiting on Postgres, Redis, Dovecot and timers, and each has its
    // own database and key prefix. Two at once on 2 cores: the suite in 354-357 s instead of 730 s,
    // all green twice.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
