import type pg from 'pg';
import type { Db } from './handle.js';

/**
 * The pool's own connection settings (host, credentials, SSL), for a connection of its own outside
 * the pool (an advisory lock, a LISTEN): what it holds must not go back to the pool with it.
 * Sequelize types its `config` without the dialect options it keeps there: read as what it holds.
 */
export function connectionOptions(db: Db): pg.ClientConfig {
  const config: {
    host?: string;
    port?: string | number;
    username?: string;
    password?: string | null;
    database?: string;
    ssl?: boolean;
    dialectOptions?: Record<string, unknown>;
  } = db.sequelize.config;
  return {
    ...(config.dialectOptions ?? {}),
    ...(config.host !== undefined ? { host: config.host } : {}),
    ...(config.port !== undefined ? { port: Number(config.port) } : {}),
    ...(config.username !== undefined ? { user: config.username } : {}),
    ...(typeof config.password === 'string' ? { password: config.password } : {}),
    ...(config.database !== undefined ? { database: config.database } : {}),
    ...(config.ssl ? { ssl: config.ssl } : {}),
  };
}
