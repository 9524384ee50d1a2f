import type { Sequelize } from 'sequelize';

/**
 * A year of a busy desk in a few set-based statements (generate_series), for the console's bench:
 * 1,000,000 tickets of which 100,000 still open, 200,000 requesters, 60 technicians, and the event
 * log a ticket's life leaves (created, assigned, resolved; `queued` for some waiting tickets), so
 * that the queue reads a realistic backlog and the statistics have a year to compute.
 *
 * Ids are md5 digests of a counter, so a ticket finds its requester and technician by arithmetic
 * instead of a join. Spread: P1 5%, P2 20%, P3 50%, P4 25%; email 45%, phone 25%, SMS 15%, web
 * 15%; open tickets are the newest 90,000 plus one in 91 of the older ones (a backlog that never
 * went away), 20% new, 10% assigned, 55% in progress, 15% pending; of the others 10% resolved and
 * 90% closed, a tenth of them late on a target.
 */
export const SEED = {
  tickets: 1_000_000,
  open: 100_000,
  requesters: 200_000,
  technicians: 60,
  categories: ['network', 'printing', 'accounts', 'email', 'hardware', 'software', 'security', 'access'],
};

const SUBJECTS = [
  'VPN drops every hour',
  'Printer on floor 2 jams on every job',
  'Password reset for the ERP',
  'Outlook keeps asking for my password',
  'New starter needs a laptop and accounts',
  'Cannot reach the shared drive',
  'Teams calls cut out after a minute',
  'Badge does not open the car park',
  'Phishing mail received',
  'Second monitor for my desk',
  'Wi-Fi slow in meeting room B',
  'Excel crashes when opening the budget file',
  'Access to the sales CRM',
  'Laptop will not boot after update',
  'Scanner sends nothing by email',
  'Mailbox full',
];

/** An md5 digest shaped as a version-4 UUID (the API's validation checks the version and variant digits). */
const uuidOf = (seed: string) => `overlay(overlay(md5(${seed}) placing '4' from 13) placing '8' from 17)::uuid`;
const requesterId = (expr: string) => uuidOf(`'requester-' || (${expr})`);
const technicianId = (expr: string) => uuidOf(`'technician-' || (${expr})`);
const list = (values: readonly string[]) => `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]`;

/** Minutes to respond and to resolve, per priority (the contract's defaults' order of magnitude). */
const RESPOND = `(CASE s.priority WHEN 'P1' THEN 15 WHEN 'P2' THEN 60 WHEN 'P3' THEN 240 ELSE 480 END)`;
const RESOLVE = `(CASE s.priority WHEN 'P1' THEN 240 WHEN 'P2' THEN 480 WHEN 'P3' THEN 1440 ELSE 4320 END)`;

export async function seedConsoleDesk(sequelize: Sequelize): Promise<void> {
  const { tickets, open, requesters, technicians, categories } = SEED;
  const older = tickets - (open - open / 10);
  const backlogEvery = Math.floor(older / (open / 10));
  await sequelize.transaction(async (transaction) => {
    const q = (sql: string) => sequelize.query(sql, { transaction });
    await q('SET LOCAL synchronous_commit = off');
    await q(`SET LOCAL maintenance_work_mem = '256MB'`);
    await q('SELECT setseed(0.13)');
    // A year of the event log in one statement would otherwise notify the stream (migration 060) in 10,000 chunks.
    await q('ALTER TABLE ticket_events DISABLE TRIGGER ticket_events_notify');
    await q(`
      INSERT INTO technicians (id, name, email, phone, tier, skills, max_load, available, shift)
      SELECT ${technicianId('g')}, 'Technician ' || g, 'tech' || g || '@desk.example', '+3360000' || lpad(g::text, 4, '0'),
             CASE WHEN g <= 40 THEN 1 WHEN g <= 54 THEN 2 ELSE 3 END,
             ARRAY[(${list(categories)})[1 + g % 8], (${list(categories)})[1 + (g * 3) % 8]], 2000, true, NULL
        FROM generate_series(1, ${technicians}) g`);
    await q(`
      INSERT INTO requesters (id, name, emails, phones, language)
      SELECT ${requesterId('g')}, 'Requester ' || g, ARRAY['user' || g || '@corp.example'],
             CASE WHEN g % 3 = 0 THEN ARRAY['+336' || lpad(g::text, 8, '0')] ELSE '{}' END,
             CASE WHEN g % 4 = 0 THEN 'en' ELSE 'fr' END
        FROM generate_series(1, ${requesters}) g`);
    await q(`
      INSERT INTO tickets (channel, status, priority, impact, urgency, category, tier, subject, description, requester_id,
                           assignee_id, respond_by, resolve_by, responded_at, breached, paused_at, created_at, updated_at,
                           resolved_at, closed_at, satisfaction, reassignments, escalations, reopens, resolution)
      SELECT s.channel, s.status, s.priority,
             (CASE s.priority WHEN 'P1' THEN 'high' WHEN 'P2' THEN 'high' WHEN 'P3' THEN 'medium' ELSE 'low' END),
             (CASE s.priority WHEN 'P1' THEN 'high' WHEN 'P2' THEN 'medium' WHEN 'P3' THEN 'medium' ELSE 'low' END),
             s.category, CASE WHEN s.g % 20 = 0 THEN 2 ELSE 1 END,
             (${list(SUBJECTS)})[1 + s.g % ${SUBJECTS.length}],
             'Reported by ' || s.channel || ': ' || (${list(SUBJECTS)})[1 + s.g % ${SUBJECTS.length}] || '. It started this morning and blocks my work; I tried restarting twice.',
             ${requesterId(`1 + (s.g * 104729) % ${requesters}`)},
             CASE WHEN s.status <> 'new' THEN ${technicianId(`1 + (s.g * 7919) % ${technicians}`)} END,
             s.created + ${RESPOND} * interval '1 minute',
             s.created + ${RESOLVE} * interval '1 minute',
             CASE WHEN s.status NOT IN ('new', 'assigned') THEN s.created + ${RESPOND} * s.r_respond * interval '1 minute' END,
             (s.r_respond > 1 OR s.r_resolve > 1) AND s.status IN ('resolved', 'closed'),
             CASE WHEN s.status = 'pending' THEN s.created + ${RESPOND} * interval '1 minute' END,
             s.created, s.created,
             CASE WHEN s.status IN ('resolved', 'closed') THEN s.created + ${RESOLVE} * s.r_resolve * interval '1 minute' END,
             CASE WHEN s.status = 'closed' THEN s.created + ${RESOLVE} * s.r_resolve * interval '1 minute' + interval '3 days' END,
             CASE WHEN s.status = 'closed' AND s.g % 3 = 0 THEN 1 + (s.g / 3) % 5 END,
             (s.g % 10 = 0)::int, (s.g % 20 = 0)::int, (s.g % 33 = 0)::int,
             CASE WHEN s.status IN ('resolved', 'closed') THEN 'Fixed: ' || (${list(SUBJECTS)})[1 + s.g % ${SUBJECTS.length}] END
        FROM (
          SELECT g, created, r_respond, r_resolve,
                 CASE WHEN p < 0.05 THEN 'P1' WHEN p < 0.25 THEN 'P2' WHEN p < 0.75 THEN 'P3' ELSE 'P4' END AS priority,
                 CASE WHEN c < 0.45 THEN 'email' WHEN c < 0.70 THEN 'voice' WHEN c < 0.85 THEN 'sms' ELSE 'web' END AS channel,
                 CASE WHEN g % 10 = 0 THEN NULL ELSE (${list(categories)})[1 + (g * 31) % 8] END AS category,
                 CASE WHEN g > ${older} OR g % ${backlogEvery} = 0
                      THEN CASE WHEN st < 0.20 THEN 'new' WHEN st < 0.30 THEN 'assigned' WHEN st < 0.85 THEN 'in_progress' ELSE 'pending' END
                      ELSE CASE WHEN st < 0.10 THEN 'resolved' ELSE 'closed' END END AS status
            FROM (SELECT g, random() AS p, random() AS c, random() AS st,
                         0.1 + random() * 1.0 AS r_respond, 0.1 + random() * 1.0 AS r_resolve,
                         now() - interval '365 days' * (1 - g::float / ${tickets}) - random() * interval '10 minutes' AS created
                    FROM generate_series(1::bigint, ${tickets}) g) r
        ) s
       ORDER BY s.g`);
    // The life each ticket leaves in the log: opened; offered (all but the new); resolved.
    await q(`
      INSERT INTO ticket_events (ticket_id, type, actor, data, at)
      SELECT id, 'created', 'system:intake', jsonb_build_object('channel', channel), created_at FROM tickets`);
    await q(`
      INSERT INTO ticket_events (ticket_id, type, actor, data, at)
      SELECT id, 'assigned', 'system:routing', jsonb_build_object('technicianId', assignee_id),
             created_at + (coalesce(responded_at, respond_by) - created_at) / 2
        FROM tickets WHERE assignee_id IS NOT NULL`);
    await q(`
      INSERT INTO ticket_events (ticket_id, type, actor, data, at)
      SELECT id, 'resolved', 'technician:' || assignee_id, jsonb_build_object('resolution', resolution), resolved_at
        FROM tickets WHERE resolved_at IS NOT NULL`);
    // A tenth of the waiting tickets: routing found nobody eligible.
    await q(`
      INSERT INTO ticket_events (ticket_id, type, actor, data, at)
      SELECT id, 'queued', 'system:routing', '{"why": {"considered": 0}}', created_at + interval '1 second'
        FROM tickets WHERE status = 'new' AND number % 10 = 0`);
    await q('ALTER TABLE ticket_events ENABLE TRIGGER ticket_events_notify');
  });
  await sequelize.query('VACUUM ANALYZE');
}
