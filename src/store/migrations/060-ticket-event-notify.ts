import type { MigrationContext } from './types.js';

/**
 * The console's live feed (GET /api/stream): every insert into `ticket_events` NOTIFYs
 * `ticket_events` with the new ids, so that each web process hears of a change as it commits and
 * reads the events it names (store/ticket-event-feed.ts).
 *
 * NOTIFY is delivered at commit, in commit order, and never for a transaction that rolls back.
 * Per statement, from its transition table, rather than per row: an email round or a routing sweep
 * appends hundreds of events in one statement, and one notification each would cost a queue entry
 * apiece. The ids go comma-separated, at most 300 to a notification (a payload must stay under
 * 8,000 bytes; 300 ids of 19 digits and a comma are 6,000).
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE FUNCTION ticket_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      ids text;
    BEGIN
      FOR ids IN
        SELECT string_agg(id::text, ',' ORDER BY id)
          FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) / 300 AS chunk FROM appended) numbered
         GROUP BY chunk ORDER BY chunk
      LOOP
        PERFORM pg_notify('ticket_events', ids);
      END LOOP;
      RETURN NULL;
    END $$;
    CREATE TRIGGER ticket_events_notify AFTER INSERT ON ticket_events
      REFERENCING NEW TABLE AS appended
      FOR EACH STATEMENT EXECUTE FUNCTION ticket_events_notify();
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    DROP TRIGGER IF EXISTS ticket_events_notify ON ticket_events;
    DROP FUNCTION IF EXISTS ticket_events_notify();
  `);
}
