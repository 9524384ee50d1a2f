import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertStorms, startStormWatch } from '../../../src/tickets/storm-watch.js';
import { waitFor } from '../../support/wait.js';
import { bearer } from '../../support/desk.js';
import { allSettled, auth, createNotifyDesk, createTechnician, outboxRows, ticketDetail, type NotifyDesk } from '../notify/notify-desk.js';

/**
 * #16, recurrence seen early: five similar tickets in a minute are one suggestion and one storm
 * alert to the coordinator (email and SMS, naming them), however often the worker looks again and
 * whatever joins the group after; an outage declared from the suggestion links its tickets.
 */

const COORDINATOR_EMAIL = 'coordination@desk.example.org';
const COORDINATOR_PHONE = '+33611111111';

let nd: NotifyDesk;
let stopWatch: () => Promise<void>;

beforeAll(async () => {
  nd = await createNotifyDesk({ env: { HELPDESK_COORDINATOR_EMAIL: COORDINATOR_EMAIL, HELPDESK_COORDINATOR_PHONE: COORDINATOR_PHONE } });
  await nd.start();
  stopWatch = startStormWatch({ config: nd.desk.config, log: nd.desk.log, services: nd.desk.services }, { everyMs: 100 });
});
afterAll(async () => {
  await stopWatch?.();
  await nd?.close();
});

async function open(subject: string, description: string, email: string, category: string): Promise<number> {
  const res = await request(nd.desk.app)
    .post('/api/tickets')
    .set(auth)
    .send({ subject, description, category, requester: { name: email.split('@')[0], email } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.number as number;
}

const toCoordinator = () => nd.receiver.messages.filter((m) => m.envelope.to.includes(COORDINATOR_EMAIL));
const smsToCoordinator = () => nd.standIn.messages.filter((m) => m.to === COORDINATOR_PHONE);

describe('a storm of similar tickets', () => {
  it('is one suggestion and one alert to the coordinator by email and SMS, naming the tickets', async () => {
    const unrelated = await open('Imprimante bloquée', 'Bourrage papier au 2e étage', 'printer@example.com', 'printing');
    const storm = [
      await open('VPN coupé', 'Le VPN ne se connecte plus depuis le siège', 'a@example.com', 'network'),
      await open('Le VPN ne répond plus', 'connexion VPN impossible', 'b@example.com', 'network'),
      await open('vpn refuse la connexion', 'message VPN: délai dépassé', 'c@example.com', 'network'),
      await open('Plus de VPN', 'Impossible de joindre le VPN', 'd@example.com', 'network'),
      await open('VPN KO', 'le client VPN tourne sans fin', 'e@example.com', 'network'),
    ];

    const suggestions = await request(nd.desk.app).get('/api/problems/suggestions').set(auth);
    expect(suggestions.status).toBe(200);
    expect(suggestions.body.items).toHaveLength(1);
    expect(suggestions.body.items[0]).toMatchObject({ tickets: storm, title: 'VPN coupé' });
    expect(Number.isNaN(Date.parse(suggestions.body.items[0].since))).toBe(false);
    expect(suggestions.body.items[0].tickets).not.toContain(unrelated);
    // Other people's tickets by subject: not for a technician, who reads only their own.
    const technician = await createTechnician(nd.desk, { name: 'Tess', email: 'tess@desk.example.org' });
    expect((await request(nd.desk.app).get('/api/problems/suggestions').set(bearer(technician.token))).status).toBe(403);

    const [alert] = await waitFor('the coordinator alerted by email', () => toCoordinator().length > 0 && toCoordinator());
    // Told as soon as three are in (the watch looks every 100 ms here), naming those it knew of.
    for (const n of storm.slice(0, 3)) expect(alert!.parsed.text).toContain(`HD-${n}`);
    for (const named of alert!.parsed.text?.match(/HD-\d+/g) ?? []) expect(storm.map((n) => `HD-${n}`)).toContain(named);
    expect(alert!.parsed.text).not.toContain(`HD-${unrelated}`);
    expect(alert!.parsed.text).toContain('https://desk.example.org/outages#suggestions');
    const [sms] = await waitFor('the coordinator alerted by SMS', () => smsToCoordinator().length > 0 && smsToCoordinator());
    expect(sms!.body).toContain(`HD-${storm[0]}`);

    // Later looks and a sixth ticket of the group alert nobody again.
    const sixth = await open('Toujours pas de VPN', 'le VPN ne se connecte toujours pas', 'f@example.com', 'network');
    expect(await alertStorms(nd.desk.services.tickets, null)).toBe(0);
    const again = await request(nd.desk.app).get('/api/problems/suggestions').set(auth);
    expect(again.body.items[0].tickets).toEqual([...storm, sixth]);
    await waitFor('every notification settled', () => allSettled(nd.desk));
    expect(toCoordinator()).toHaveLength(1);
    expect(smsToCoordinator()).toHaveLength(1);
    expect((await outboxRows(nd.desk)).filter((r) => r.kind === 'coordinator.storm')).toHaveLength(2);
  });

  it('alerts once when several sweeps look at a new storm at the same moment (two workers)', async () => {
    await stopWatch();
    const printers = [
      await open('Imprimantes hors ligne', 'toutes les imprimantes du 3e', 'g@example.com', 'printing'),
      await open('imprimante hors ligne', '', 'h@example.com', 'printing'),
      await open('Imprimantes du 3e hors ligne', '', 'i@example.com', 'printing'),
    ];
    const sweeps = await Promise.all([1, 2, 3].map(() => alertStorms(nd.desk.services.tickets, null)));
    expect(sweeps.reduce((a, b) => a + b, 0)).toBe(1);
    const rows = (await outboxRows(nd.desk)).filter((r) => r.kind === 'coordinator.storm');
    expect(rows).toHaveLength(4);
    await waitFor('the second alert delivered', () => toCoordinator().length === 2);
    expect(toCoordinator()[1]!.parsed.text).toContain(`HD-${printers[2]}`);
    stopWatch = startStormWatch({ config: nd.desk.config, log: nd.desk.log, services: nd.desk.services }, { everyMs: 100 });
  });

  it('declares an outage from a suggestion in one step, its tickets linked to it', async () => {
    const [group] = (await request(nd.desk.app).get('/api/problems/suggestions').set(auth)).body.items as { tickets: number[] }[];
    const declared = await request(nd.desk.app)
      .post('/api/problems/suggestions/declare-outage')
      .set(auth)
      .send({ tickets: group!.tickets, message: 'Le VPN est en panne, nous y travaillons.' });
    expect(declared.status, JSON.stringify(declared.body)).toBe(201);
    expect(declared.body).toMatchObject({ title: 'VPN coupé', category: 'network', tickets: group!.tickets });
    for (const n of group!.tickets) {
      const t = await ticketDetail(nd.desk, n);
      expect(t).toMatchObject({ outageId: declared.body.id });
      expect(t.events.filter((e) => e.type === 'linked_to_outage')).toHaveLength(1);
    }
    // Linked tickets have their cause: they are no longer suggested.
    const left = (await request(nd.desk.app).get('/api/problems/suggestions').set(auth)).body.items as { tickets: number[] }[];
    expect(left.flatMap((i) => i.tickets).filter((n) => group!.tickets.includes(n))).toEqual([]);
  });
});
