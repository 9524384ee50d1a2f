/** A migration receives one function: run this SQL in the migration's connection. */
export type RunSql = (sql: string) => Promise<unknown>;
export interface MigrationContext {
  context: RunSql;
}
