import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROUTING_PREFIX } from '../../../src/routing/producer.js';
import { bearer, COORDINATOR_TOKEN } from '../../support/desk.js';
import { createCrashDesk, mailByRecipient, unsent, type CrashDesk } from './crash-desk.js';
import { waitFor } from '../../support/wait.js';

// Every category the desk is seeded with: each technician can take any ticket of the burst.
const SKILLS = ['network', 'printing', 'accounts', 'email', 'hardware', 'software', 'security', 'access'];

/**
 * Issue 11, crash suite (c): `kill -9` of the gateway in the middle of a routing burst (tickets
 * arriving faster than they are offered, five technicians), then a restart, while tickets keep
 * arriving. Each ticket is offered once, to one technician, and that offer reaches them once; each
 * requester gets one acknowledgement. And the tickets whose routing jobs died with the gateway are
 * offered seconds after the restart: before, a sweep that met a busy technician gave up whole, and
 * their jobs waited for bull's 30 s lock and 30 s stall check, a minute all told.
 */

const TICKETS = 150;
const TECHNICIANS = 5;
let cd: CrashDesk;
const auth = bearer(COORDINATOR_TOKEN);
let releaseProducer: (() => Promise<void>) | undefined;

beforeAll(async () => {
  cd = await createCrashDesk({ redisDb: 13 });
  for (let i = 0; i < TECHNICIANS; i++) {
    // By email, so that the offers are not paced to one SMS a second.
    const res = await request(cd.desk.app)
      .post('/api/technicians')
      .set(auth)
      .send({ name: `Tech ${i}`, email: `tech${i}@desk.example.org`, tier: 1, skills: SKILLS, maxLoad: 1000 });
    expect(res.status).toBe(201);
  }
}, 60_000);
afterAll(async () => {
  await releaseProducer?.();
  await cd?.close();
});

describe('kill -9 in the middle of a routing burst', () => {
  it('offers each ticket once, and each offer and acknowledgement reaches its reader once', async () => {
    const first = await cd.start();
    // The tickets come from this process (as from another gateway's web role), into the gateway's routing queue.
    releaseProducer = cd.desk.services.routing.connect(cd.redisUrl, DEFAULT_ROUTING_PREFIX);
    const numbers: number[] = [];
    const arrivals = (async () => {
      for (let i = 0; i < TICKETS; i++) {
        const res = await request(cd.desk.app)
          .post('/api/tickets')
          .set(auth)
          .send({
            subject: `Imprimante ${i} bloquée`,
            description: "L'imprimante n'imprime plus.",
            requester: { name: `P ${i}`, email: `p${i}@client.example` },
          });
        expect(res.status).toBe(201);
        numbers.push(res.body.number as number);
      }
    })();
    const offered = () => cd.count(`SELECT count(*) AS n FROM ticket_events WHERE type = 'assigned'`);
    await waitFor('offers being made', async () => (await offered()) >= TICKETS / 5, { timeoutMs: 45_000, intervalMs: 20 });
    await cd.kill9(first);
    const offeredAtKill = await offered();
    const inFlight = await cd.count(`SELECT count(*) AS n FROM outbox WHERE status = 'sending'`);

    await cd.start();
    await arrivals;
    await waitFor('every ticket offered', async () => (await offered()) >= TICKETS, { timeoutMs: 45_000, intervalMs: 200 });
    await waitFor(
      'every offer and acknowledgement sent',
      async () => (await cd.count(`SELECT count(*) AS n FROM outbox WHERE status <> 'sent'`)) === 0,
      { timeoutMs: 40_000, intervalMs: 200, explain: unsent(cd) },
    );

    // Each ticket offered once, to one technician, and still theirs.
    const offers = await cd.rows<{ number: number; assignee: string; offers: number; email: string }>(
      `SELECT t.number, t.assignee_id AS assignee, tech.email,
              (SELECT count(*)::int FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'assigned') AS offers
         FROM tickets t JOIN technicians tech ON tech.id = t.assignee_id WHERE t.status = 'assigned'`,
    );
    expect(offers).toHaveLength(TICKETS);
    expect(offers.filter((o) => o.offers !== 1)).toEqual([]);

    // Each offer reached its technician once (one Message-ID per ticket, to the one it was offered to),
    // and each requester one acknowledgement.
    const byRecipient = mailByRecipient(cd.receiver);
    for (const o of offers) {
      const about = cd.receiver.messages.filter(
        (m) => (m.parsed.subject ?? '').includes(`HD-${o.number}]`) && m.envelope.to.some((t) => t.startsWith('tech')),
      );
      expect(new Set(about.map((m) => m.parsed.messageId)).size, `offers of HD-${o.number}`).toBe(1);
      expect(about[0]?.envelope.to).toEqual([o.email]);
    }
    for (let i = 0; i < TICKETS; i++) expect(byRecipient.get(`p${i}@client.example`)?.messageIds.size, `acknowledgement ${i}`).toBe(1);
    const sent = await cd.count(`SELECT count(*) AS n FROM outbox`);
    console.info(
      `crash (c): ${TICKETS} tickets, ${TECHNICIANS} technicians; ${offeredAtKill} offered and ${inFlight} notifications in flight at the kill; ` +
        `${sent} notifications, ${cd.receiver.messages.length - sent} same-Message-ID copies at the SMTP receiver`,
    );
    // SMTP has no lookup: a message accepted in the instant before the kill goes again, same Message-ID.
    expect(cd.receiver.messages.length - sent).toBeLessThanOrEqual(inFlight);
  }, 120_000);
});
