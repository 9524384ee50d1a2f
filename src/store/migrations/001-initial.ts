import type { MigrationContext } from './types.js';

/**
 * The ticket store. Plain SQL so that what is in the database reads the same here as in psql.
 * Index choices follow the queries they serve, named beside each.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE TABLE requesters (
      id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name        text,
      emails      text[] NOT NULL DEFAULT '{}',
      phones      text[] NOT NULL DEFAULT '{}',
      language    text CHECK (language IN ('fr', 'en')),
      vip         boolean NOT NULL DEFAULT false,
      created_at  timestamptz NOT NULL DEFAULT now(),
      updated_at  timestamptz NOT NULL DEFAULT now()
    );
    -- intake looks a sender up by address or caller ID: array containment uses GIN.
    CREATE INDEX requesters_emails_idx ON requesters USING gin (emails);
    CREATE INDEX requesters_phones_idx ON requesters USING gin (phones);

    CREATE TABLE skills (
      name        text PRIMARY KEY,
      description text
    );

    CREATE TABLE categories (
      name             text PRIMARY KEY,
      required_skills  text[] NOT NULL DEFAULT '{}',
      starting_tier    smallint NOT NULL DEFAULT 1 CHECK (starting_tier BETWEEN 1 AND 3),
      created_at       timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE technicians (
      id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name              text NOT NULL,
      email             text,
      phone             text,
      language          text NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'en')),
      tier              smallint NOT NULL CHECK (tier BETWEEN 1 AND 3),
      skills            text[] NOT NULL DEFAULT '{}',
      max_load          integer NOT NULL DEFAULT 5 CHECK (max_load >= 0),
      available         boolean NOT NULL DEFAULT true,
      on_call           boolean NOT NULL DEFAULT false,
      shift             text,
      last_assigned_at  timestamptz,
      deleted_at        timestamptz,
      created_at        timestamptz NOT NULL DEFAULT now(),
      updated_at        timestamptz NOT NULL DEFAULT now()
    );
    -- an SMS is matched to its technician by phone; two active technicians may not share one.
    CREATE UNIQUE INDEX technicians_phone_idx ON technicians (phone) WHERE deleted_at IS NULL AND phone IS NOT NULL;
    CREATE INDEX technicians_routing_idx ON technicians (tier) WHERE deleted_at IS NULL AND available;

    CREATE TABLE api_tokens (
      id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      token_hash     text NOT NULL UNIQUE,
      role           text NOT NULL CHECK (role IN ('coordinator', 'technician')),
      technician_id  uuid REFERENCES technicians(id),
      created_at     timestamptz NOT NULL DEFAULT now(),
      revoked_at     timestamptz
    );

    CREATE TABLE outages (
      id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      title       text NOT NULL,
      message     text NOT NULL,
      category    text REFERENCES categories(name),
      since       timestamptz NOT NULL DEFAULT now(),
      until       timestamptz,
      created_at  timestamptz NOT NULL DEFAULT now()
    );

    -- digits only, so that a caller can key it on a phone; starts at four digits.
    CREATE SEQUENCE ticket_number_seq START 1001;

    CREATE TABLE tickets (
      id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      number             bigint NOT NULL UNIQUE DEFAULT nextval('ticket_number_seq'),
      channel            text NOT NULL CHECK (channel IN ('voice', 'email', 'sms', 'web')),
      status             text NOT NULL DEFAULT 'new'
                           CHECK (status IN ('new', 'assigned', 'in_progress', 'pending', 'resolved', 'closed')),
      priority           text NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
      impact             text NOT NULL CHECK (impact IN ('high', 'medium', 'low')),
      urgency            text NOT NULL CHECK (urgency IN ('high', 'medium', 'low')),
      category           text REFERENCES categories(name),
      tier               smallint NOT NULL DEFAULT 1 CHECK (tier BETWEEN 1 AND 3),
      subject            text NOT NULL,
      description        text NOT NULL DEFAULT '',
      requester_id       uuid NOT NULL REFERENCES requesters(id),
      assignee_id        uuid REFERENCES technicians(id),
      outage_id          uuid REFERENCES outages(id),
      linked_ticket_id   uuid REFERENCES tickets(id),
      resolution         text,
      satisfaction       smallint CHECK (satisfaction BETWEEN 1 AND 5),
      respond_by         timestamptz,
      resolve_by         timestamptz,
      responded_at       timestamptz,
      breached           boolean NOT NULL DEFAULT false,
      paused_at          timestamptz,
      paused_seconds     integer NOT NULL DEFAULT 0,
      offered_at         timestamptz,
      escalations        integer NOT NULL DEFAULT 0,
      reassignments      integer NOT NULL DEFAULT 0,
      reopens            integer NOT NULL DEFAULT 0,
      created_at         timestamptz NOT NULL DEFAULT now(),
      updated_at         timestamptz NOT NULL DEFAULT now(),
      resolved_at        timestamptz,
      closed_at          timestamptz
    );
    -- the API lists newest first, filtered by any of these.
    CREATE INDEX tickets_created_idx ON tickets (created_at DESC);
    CREATE INDEX tickets_status_idx ON tickets (status, created_at DESC);
    CREATE INDEX tickets_requester_idx ON tickets (requester_id, created_at DESC);
    -- a technician's load and list: open tickets per assignee.
    CREATE INDEX tickets_open_assignee_idx ON tickets (assignee_id, priority)
      WHERE status IN ('assigned', 'in_progress', 'pending');
    -- the routing queue: unassigned open tickets by priority then age.
    CREATE INDEX tickets_queue_idx ON tickets (priority, created_at)
      WHERE status = 'new' AND assignee_id IS NULL;

    CREATE TABLE ticket_watchers (
      ticket_id  uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      email      text,
      phone      text,
      CHECK (email IS NOT NULL OR phone IS NOT NULL)
    );
    CREATE UNIQUE INDEX ticket_watchers_uniq ON ticket_watchers (ticket_id, coalesce(email, ''), coalesce(phone, ''));

    CREATE TABLE ticket_events (
      id         bigserial PRIMARY KEY,
      ticket_id  uuid NOT NULL REFERENCES tickets(id),
      type       text NOT NULL,
      actor      text NOT NULL,
      data       jsonb NOT NULL DEFAULT '{}',
      at         timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id, id);

    -- The event log is the ticket's history: it only grows.
    CREATE FUNCTION ticket_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'ticket_events is append-only';
    END $$;
    CREATE TRIGGER ticket_events_no_change BEFORE UPDATE OR DELETE ON ticket_events
      FOR EACH ROW EXECUTE FUNCTION ticket_events_append_only();

    CREATE TABLE messages (
      id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ticket_id    uuid REFERENCES tickets(id),
      direction    text NOT NULL CHECK (direction IN ('in', 'out')),
      channel      text NOT NULL CHECK (channel IN ('voice', 'email', 'sms', 'web')),
      sender       text,
      recipient    text,
      subject      text,
      body         text NOT NULL DEFAULT '',
      quoted       text,
      external_id  text NOT NULL,
      status       text,
      error        text,
      at           timestamptz NOT NULL DEFAULT now()
    );
    -- a redelivered webhook or email carries the same Message-ID, CallSid or MessageSid.
    CREATE UNIQUE INDEX messages_external_idx ON messages (channel, external_id);
    CREATE INDEX messages_ticket_idx ON messages (ticket_id, at);

    CREATE TABLE attachments (
      id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      message_id    uuid REFERENCES messages(id),
      ticket_id     uuid REFERENCES tickets(id),
      filename      text,
      content_type  text,
      size          integer,
      sha256        text,
      url           text,
      content       bytea,
      created_at    timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX attachments_ticket_idx ON attachments (ticket_id);

    CREATE TABLE outbox (
      id               bigserial PRIMARY KEY,
      idempotency_key  text NOT NULL UNIQUE,
      ticket_id        uuid REFERENCES tickets(id),
      kind             text NOT NULL,
      channel          text NOT NULL CHECK (channel IN ('sms', 'email')),
      recipient        text NOT NULL,
      language         text NOT NULL DEFAULT 'fr',
      payload          jsonb NOT NULL DEFAULT '{}',
      status           text NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
      attempts         integer NOT NULL DEFAULT 0,
      next_attempt_at  timestamptz NOT NULL DEFAULT now(),
      last_error       text,
      external_id      text,
      created_at       timestamptz NOT NULL DEFAULT now(),
      sent_at          timestamptz
    );
    -- the dispatcher's scan: due, unsent rows in order.
    CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status IN ('pending', 'sending');

    CREATE TABLE quarantine (
      id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      mailbox      text NOT NULL,
      uid          bigint,
      reason       text NOT NULL,
      raw          bytea,
      received_at  timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE mailbox_cursors (
      mailbox      text PRIMARY KEY,
      uidvalidity  bigint NOT NULL,
      last_uid     bigint NOT NULL DEFAULT 0,
      updated_at   timestamptz NOT NULL DEFAULT now()
    );

    -- rules as data: priority matrix, SLA targets, calendar, offer timeouts.
    CREATE TABLE settings (
      key         text PRIMARY KEY,
      value       jsonb NOT NULL,
      updated_at  timestamptz NOT NULL DEFAULT now()
    );
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    DROP TABLE IF EXISTS settings, mailbox_cursors, quarantine, outbox, attachments, messages,
      ticket_events, ticket_watchers, tickets, outages, api_tokens, technicians, categories, skills, requesters CASCADE;
    DROP SEQUENCE IF EXISTS ticket_number_seq;
    DROP FUNCTION IF EXISTS ticket_events_append_only();
  `);
}
