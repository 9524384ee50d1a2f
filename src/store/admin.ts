import pg from 'pg';

/**
 * Creates database `name` unless it exists, over a connection of its own to the server's
 * administrative database (`adminUrl`); for the embedded server, whose cluster starts empty.
 */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`create database ${client.escapeIdentifier(name)}`).catch((err: unknown) => {
        // 42P04 duplicate_database: another process created it meanwhile.
        if ((err as { code?: string }).code !== '42P04') throw err;
      });
    }
  } finally {
    await client.end();
  }
}
