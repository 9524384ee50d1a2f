import type { MigrationContext } from './types.js';

/**
 * Each technician's open load (tickets they hold in assigned, in_progress or pending, per priority)
 * kept on their own row by triggers on tickets, so that routing reads a thousand loads off a
 * thousand rows instead of counting a hundred thousand index entries per decision.
 *
 * The count lives on the technician's row on purpose: changing it takes that row's lock until the
 * change commits, so whoever holds the lock (routing's FOR NO KEY UPDATE before an offer) reads an
 * exact load in the same statement, and nobody can add to it before the offer commits.
 */
const OPEN = `('assigned', 'in_progress', 'pending')`;

export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    ALTER TABLE technicians
      ADD COLUMN open_p1 integer NOT NULL DEFAULT 0,
      ADD COLUMN open_p2 integer NOT NULL DEFAULT 0,
      ADD COLUMN open_p3 integer NOT NULL DEFAULT 0,
      ADD COLUMN open_p4 integer NOT NULL DEFAULT 0;

    UPDATE technicians tech
       SET open_p1 = l.p1, open_p2 = l.p2, open_p3 = l.p3, open_p4 = l.p4
      FROM (SELECT assignee_id,
                   count(*) FILTER (WHERE priority = 'P1') AS p1, count(*) FILTER (WHERE priority = 'P2') AS p2,
                   count(*) FILTER (WHERE priority = 'P3') AS p3, count(*) FILTER (WHERE priority = 'P4') AS p4
              FROM tickets WHERE assignee_id IS NOT NULL AND status IN ${OPEN} GROUP BY assignee_id) l
     WHERE tech.id = l.assignee_id;

    -- One ticket updated or deleted: its old state leaves a load, its new one joins a load.
    CREATE FUNCTION technicians_open_load() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      was_open boolean := OLD.assignee_id IS NOT NULL AND OLD.status IN ${OPEN};
      is_open boolean := TG_OP = 'UPDATE' AND NEW.assignee_id IS NOT NULL AND NEW.status IN ${OPEN};
    BEGIN
      IF was_open AND is_open AND OLD.assignee_id = NEW.assignee_id AND OLD.priority = NEW.priority THEN
        RETURN NULL;
      END IF;
      -- A ticket moving from one technician to another locks both rows in id order: two moves in
      -- opposite directions at once would otherwise deadlock.
      IF was_open AND is_open AND OLD.assignee_id <> NEW.assignee_id THEN
        PERFORM 1 FROM technicians WHERE id IN (OLD.assignee_id, NEW.assignee_id) ORDER BY id FOR NO KEY UPDATE;
      END IF;
      IF was_open THEN
        UPDATE technicians
           SET open_p1 = open_p1 - (OLD.priority = 'P1')::int, open_p2 = open_p2 - (OLD.priority = 'P2')::int,
               open_p3 = open_p3 - (OLD.priority = 'P3')::int, open_p4 = open_p4 - (OLD.priority = 'P4')::int
         WHERE id = OLD.assignee_id;
      END IF;
      IF is_open THEN
        UPDATE technicians
           SET open_p1 = open_p1 + (NEW.priority = 'P1')::int, open_p2 = open_p2 + (NEW.priority = 'P2')::int,
               open_p3 = open_p3 + (NEW.priority = 'P3')::int, open_p4 = open_p4 + (NEW.priority = 'P4')::int
         WHERE id = NEW.assignee_id;
      END IF;
      RETURN NULL;
    END $$;

    -- New tickets wait unassigned, so inserts of held ones come in bulk (an import): counted per
    -- statement, each technician's row is updated once, not once per ticket (which would leave a
    -- dead version of the row per ticket until vacuumed, and routing reads these rows all the time).
    CREATE FUNCTION technicians_open_load_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE technicians tech
         SET open_p1 = tech.open_p1 + n.p1, open_p2 = tech.open_p2 + n.p2,
             open_p3 = tech.open_p3 + n.p3, open_p4 = tech.open_p4 + n.p4
        FROM (SELECT assignee_id,
                     count(*) FILTER (WHERE priority = 'P1')::int AS p1, count(*) FILTER (WHERE priority = 'P2')::int AS p2,
                     count(*) FILTER (WHERE priority = 'P3')::int AS p3, count(*) FILTER (WHERE priority = 'P4')::int AS p4
                FROM inserted WHERE assignee_id IS NOT NULL AND status IN ${OPEN} GROUP BY assignee_id) n
       WHERE tech.id = n.assignee_id;
      RETURN NULL;
    END $$;
    CREATE TRIGGER tickets_open_load_insert AFTER INSERT ON tickets
      REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION technicians_open_load_inserted();
    -- Only the changes that can move a load fire it; a note or an SLA stamp costs nothing.
    CREATE TRIGGER tickets_open_load_update AFTER UPDATE OF status, assignee_id, priority ON tickets
      FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id
                         OR OLD.priority IS DISTINCT FROM NEW.priority)
      EXECUTE FUNCTION technicians_open_load();
    CREATE TRIGGER tickets_open_load_delete AFTER DELETE ON tickets
      FOR EACH ROW WHEN (OLD.assignee_id IS NOT NULL) EXECUTE FUNCTION technicians_open_load();

    -- TRUNCATE skips row triggers: nothing is open afterwards.
    CREATE FUNCTION technicians_open_load_reset() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE technicians SET open_p1 = 0, open_p2 = 0, open_p3 = 0, open_p4 = 0
       WHERE open_p1 <> 0 OR open_p2 <> 0 OR open_p3 <> 0 OR open_p4 <> 0;
      RETURN NULL;
    END $$;
    CREATE TRIGGER tickets_open_load_truncate AFTER TRUNCATE ON tickets
      FOR EACH STATEMENT EXECUTE FUNCTION technicians_open_load_reset();
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    DROP TRIGGER IF EXISTS tickets_open_load_insert ON tickets;
    DROP TRIGGER IF EXISTS tickets_open_load_update ON tickets;
    DROP TRIGGER IF EXISTS tickets_open_load_delete ON tickets;
    DROP TRIGGER IF EXISTS tickets_open_load_truncate ON tickets;
    DROP FUNCTION IF EXISTS technicians_open_load();
    DROP FUNCTION IF EXISTS technicians_open_load_inserted();
    DROP FUNCTION IF EXISTS technicians_open_load_reset();
    ALTER TABLE technicians
      DROP COLUMN IF EXISTS open_p1, DROP COLUMN IF EXISTS open_p2, DROP COLUMN IF EXISTS open_p3, DROP COLUMN IF EXISTS open_p4;
  `);
}
