import { createSequelize, type DbOptions } from './db.js';
import { createStore, type OpenStore } from './index.js';
import { migrate } from './migrate.js';

/** A database as a process opens it: its store over a pool of its own, and its migrations. */
export interface Database {
  store: OpenStore;
  /** Applies the migrations not yet applied (one process at a time, see migrate.ts); their names. */
  migrate(): Promise<string[]>;
}

/** Opens a pool of `poolMax` connections to `url`; `store.close()` closes it. */
export function openDatabase(options: DbOptions): Database {
  const sequelize = createSequelize(options);
  return {
    store: createStore(sequelize, options.log),
    migrate: () => migrate(sequelize, options.log),
  };
}
