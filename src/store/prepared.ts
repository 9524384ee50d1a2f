import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Transaction } from 'sequelize';

/**
 * A statement run as a named prepared statement on the transaction's own connection: Postgres
 * parses and plans it once per connection instead of on every call. For the few statements on a
 * hot path (a routing decision, an email's ticket); everything else goes through Sequelize.
 *
 * Sequelize has no way to name a statement (its query options carry no name, and a plain
 * `sequelize.query` is parsed and planned again on every call), so this speaks to the pg client the
 * transaction holds (`transaction.connection`, set when the transaction begins). That field is not
 * part of Sequelize's typed surface, but it is the one way: the pool hands a connection to the
 * transaction and nowhere else, and a statement prepared on any other connection would not be
 * there next time. It is read here only, and only with a transaction (store/handle.ts's hotRows
 * runs an ordinary query otherwise). The SQL keeps the store's `$name` bind style; it is turned
 * into positional parameters once per distinct text.
 */

interface Compiled {
  name: string;
  text: string;
  order: string[];
}

// One entry per distinct statement text; the hot paths build a handful, so this stays small.
const compiled = new Map<string, Compiled>();

function compile(sql: string): Compiled {
  let entry = compiled.get(sql);
  if (entry) return entry;
  const order: string[] = [];
  const text = sql.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
    let index = order.indexOf(name);
    if (index < 0) index = order.push(name) - 1;
    return `$${index + 1}`;
  });
  // Postgres names are at most 63 bytes; a digest of the text keeps them unique and stable.
  entry = { name: `hd_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`, text, order };
  compiled.set(sql, entry);
  return entry;
}

const clientOf = (tx: Transaction) => (tx as unknown as { connection?: pg.ClientBase }).connection;

export async function preparedRows<T extends object>(tx: Transaction, sql: string, bind: Record<string, unknown>): Promise<T[]> {
  const client = clientOf(tx);
  if (!client) throw new Error('prepared statement: the transaction holds no connection (has it begun?)');
  const { name, text, order } = compile(sql);
  const values = order.map((key) => {
    if (!(key in bind)) throw new Error(`prepared statement: no value bound for $${key}`);
    return bind[key];
  });
  const result = await client.query<T & pg.QueryResultRow>({ name, text, values });
  return result.rows;
}
