import type { TransactionOptions } from 'sequelize';
import type { Db } from './handle.js';

/**
 * Runs `work` on the handle's transaction, or in one of its own when the handle has none: for a
 * repository method whose statements must hold together (a cursor read under FOR UPDATE then
 * moved, a ticket read with its history from one snapshot). Inside a unit of work it joins that
 * transaction, so that none of its statements escapes to another connection.
 */
export function inTransaction<T>(db: Db, work: (db: Db) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  if (db.tx) return work(db);
  return db.sequelize.transaction(options, (tx) => work({ ...db, tx }));
}
