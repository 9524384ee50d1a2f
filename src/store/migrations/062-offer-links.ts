import type { MigrationContext } from './types.js';

/**
 * The offer links' single use (store/offer-link-repository.ts). A link's code is derived from its
 * offer's event (an `assigned` or `offer_renewed` row of ticket_events), so nothing is written when
 * the offer is made and no code is stored anywhere: a row appears here when the link is used, and
 * its primary key is what makes a second use fail, whichever of two taps commits first.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE TABLE offer_links (
      offer_event_id bigint PRIMARY KEY,
      ticket_id      uuid NOT NULL REFERENCES tickets(id),
      technician_id  uuid NOT NULL REFERENCES technicians(id),
      outcome        text NOT NULL CHECK (outcome IN ('accepted', 'declined')),
      used_at        timestamptz NOT NULL DEFAULT now()
    );
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`DROP TABLE offer_links;`);
}
