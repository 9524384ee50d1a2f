import type { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import type { HealthProbes } from './readiness.js';
import type { Services } from './services.js';

export const ROLES = ['web', 'worker', 'mail'] as const;
export type Role = (typeof ROLES)[number];

/** What a role gets from the composition root; each role returns how to stop it. */
export interface RoleContext {
  config: Config;
  log: Logger;
  services: Services;
  redisUrl: string;
  redis: Redis;
  /** Extra health facts a role reports into /ready (a mailbox's connection state, say). */
  health: HealthProbes;
}

export type RoleStopper = () => Promise<void>;
