import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Models } from './models/index.js';
import { preparedRows } from './prepared.js';

/**
 * What a repository runs its statements on: the pool, or one transaction. A repository is built
 * from a handle and never takes a transaction as an argument; `store.transaction` builds the
 * repositories again on a handle bound to its transaction, so that every read and write of the
 * unit of work is on the transaction's connection and none can escape to another.
 */
export interface Db {
  readonly sequelize: Sequelize;
  readonly models: Models;
  /** The transaction every statement runs in; undefined outside one (any pooled connection). */
  readonly tx: Transaction | undefined;
}

/** Parameters are always bound by name: `$name` in the text, `{ name: value }` beside it. */
export type Bind = Record<string, unknown>;

/** The rows of a statement. */
export function rows<T extends object>(db: Db, sql: string, bind: Bind = {}): Promise<T[]> {
  return db.sequelize.query<T>(sql, { bind, type: QueryTypes.SELECT, transaction: db.tx });
}

/**
 * The rows of a statement on a hot path (a routing decision, an email's ticket): prepared once per
 * connection when the handle holds a transaction (see prepared.ts), an ordinary query otherwise.
 */
export function hotRows<T extends object>(db: Db, sql: string, bind: Bind = {}): Promise<T[]> {
  if (db.tx) return preparedRows<T>(db.tx, sql, bind);
  return rows<T>(db, sql, bind);
}

/** A statement whose rows nobody reads (one that must say what it changed uses RETURNING and `rows`). */
export async function run(db: Db, sql: string, bind: Bind = {}): Promise<void> {
  await db.sequelize.query(sql, { bind, transaction: db.tx });
}

/** The transaction of a handle, for a statement that only makes sense inside one (a row lock). */
export function txOf(db: Db, what: string): Transaction {
  if (!db.tx) throw new Error(`${what} needs a transaction: call it on the repositories of store.transaction`);
  return db.tx;
}
