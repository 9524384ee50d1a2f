import { Sequelize } from 'sequelize';
import pg from 'pg';
import type { Logger } from '../log.js';

// bigint columns (ticket numbers, counts) come back as strings by default; ours fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export interface DbOptions {
  url: string;
  log?: Logger;
  /** Connections per process; each role of a scaled-out gateway has its own pool. */
  poolMax?: number;
}

export function createSequelize({ url, log, poolMax = 10 }: DbOptions): Sequelize {
  return new Sequelize(url, {
    dialect: 'postgres',
    dialectModule: pg,
    logging: log ? (sql: string) => log.trace({ sql: sql.slice(0, 200) }, 'sql') : false,
    pool: { max: poolMax, min: 0, idle: 10_000, acquire: 30_000 },
    define: { underscored: true, timestamps: false },
  });
}

/** The server's version, over a connection of its own that gives up after `timeoutMs` (for `helpdesk doctor`). */
export async function databaseVersion(url: string, timeoutMs: number): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    return rows[0]?.server_version ?? '?';
  } finally {
    await client.end();
  }
}
