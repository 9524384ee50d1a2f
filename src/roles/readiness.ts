import type { Redis } from 'ioredis';
import type { Readiness } from '../app.js';
import type { Metrics } from '../metrics.js';
import type { OpenStore } from '../store/index.js';

export type HealthProbes = Map<string, () => boolean | Record<string, unknown>>;

/** `/ready`: the database and Redis answer, plus what each role reports (a mailbox's connection…). */
export function createReadiness(
  store: Pick<OpenStore, 'ping'>,
  redis: Redis,
  metrics: Metrics,
  probes: HealthProbes = new Map(),
): Readiness {
  return {
    async check() {
      const [database, redisUp] = await Promise.all([
        within(PROBE_TIMEOUT_MS, store.ping()),
        within(
          PROBE_TIMEOUT_MS,
          redis.ping().then(
            () => true,
            () => false,
          ),
        ),
      ]);
      metrics.dependencyUp.set({ dependency: 'database' }, database ? 1 : 0);
      metrics.dependencyUp.set({ dependency: 'redis' }, redisUp ? 1 : 0);
      const extra = Object.fromEntries([...probes].map(([name, probe]) => [name, probe()]));
      return { database, redis: redisUp, ...extra };
    },
  };
}

/** A frozen server (or a pool waiting for a connection) makes /ready say 503, not hang. */
const PROBE_TIMEOUT_MS = 2_000;

function within(ms: number, probe: Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(resolve, ms, false);
  });
  return Promise.race([probe, late]).finally(() => clearTimeout(timer));
}
