import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../support/wait.js';
import { allSettled, auth, createNotifyDesk, outboxRows, ticketDetail, type NotifyDesk } from '../notify/notify-desk.js';

/**
 * #16, major incidents: a ticket opened about an ongoing outage (its category, words of its title or
 * message) joins it; ending the outage tells each of the linked tickets' requesters once, by their
 * channel, and nobody else anything (a requester whose ticket shares only the category, or only the words).
 */

let nd: NotifyDesk;

beforeAll(async () => {
  nd = await createNotifyDesk();
  await nd.start();
});
afterAll(async () => {
  await nd?.close();
});

async function open(body: Record<string, unknown>): Promise<{ number: number; outageId: string | null }> {
  const res = await request(nd.desk.app).post('/api/tickets').set(auth).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { number: number; outageId: string | null };
}

const ended = (to: string) =>
  nd.receiver.messages.filter((m) => m.envelope.to.includes(to) && (m.parsed.subject ?? '').includes('Incident terminé'));
const endedSms = (to: string) => nd.standIn.messages.filter((m) => m.to === to && m.body.includes('terminé'));

describe('an outage and the tickets about it', () => {
  it('links the tickets about it, then tells their requesters of its end once each, and nobody else', async () => {
    const outage = await request(nd.desk.app)
      .post('/api/outages')
      .set(auth)
      .send({ title: 'VPN indisponible', message: "L'accès distant est coupé.", category: 'network' });
    expect(outage.status).toBe(201);

    const alice = { name: 'Alice', email: 'alice@example.com' };
    const first = await open({ subject: 'VPN ne se connecte plus', description: 'Depuis ce matin', category: 'network', requester: alice });
    const second = await open({ subject: 'Accès distant refusé', description: 'le VPN tourne', category: 'network', requester: alice });
    const bob = await open({
      subject: 'vpn coupé',
      description: '',
      category: 'network',
      requester: { name: 'Bob', phone: '+33622222222' },
    });
    const sameCategoryOnly = await open({
      subject: 'Câble débranché au bureau 12',
      description: 'la prise murale ne donne rien',
      category: 'network',
      requester: { name: 'Carol', email: 'carol@example.com' },
    });
    const sameWordsOtherCategory = await open({
      subject: 'Le client VPN refuse de s’installer',
      description: 'installation bloquée',
      category: 'software',
      requester: { name: 'Dan', email: 'dan@example.com' },
    });

    for (const t of [first, second, bob]) {
      const detail = await ticketDetail(nd.desk, t.number);
      expect(detail).toMatchObject({ outageId: outage.body.id, status: 'new' });
      expect(detail.events.find((e) => e.type === 'linked_to_outage')).toMatchObject({ actor: 'system:outages' });
    }
    for (const t of [sameCategoryOnly, sameWordsOtherCategory]) {
      expect(await ticketDetail(nd.desk, t.number)).toMatchObject({ outageId: null });
    }
    await waitFor('the acknowledgements sent', () => allSettled(nd.desk));

    expect((await request(nd.desk.app).delete(`/api/outages/${outage.body.id}`).set(auth)).status).toBe(204);
    await waitFor('Alice told of the end', () => ended('alice@example.com').length > 0);
    await waitFor("Bob told of the end by SMS (his ticket's channel)", () => endedSms('+33622222222').length > 0);
    // A second end changes nothing.
    expect((await request(nd.desk.app).delete(`/api/outages/${outage.body.id}`).set(auth)).status).toBe(404);
    await waitFor('every notification settled', () => allSettled(nd.desk));

    expect(ended('alice@example.com')).toHaveLength(1);
    expect(ended('alice@example.com')[0]!.parsed.text).toContain('VPN indisponible');
    expect(endedSms('+33622222222')).toHaveLength(1);
    for (const t of [first, second, bob]) {
      const detail = await ticketDetail(nd.desk, t.number);
      expect(detail.events.filter((e) => e.type === 'outage_ended')).toEqual([
        expect.objectContaining({ actor: 'coordinator', data: expect.objectContaining({ outageId: outage.body.id }) }),
      ]);
    }
    for (const nobody of ['carol@example.com', 'dan@example.com']) expect(ended(nobody)).toHaveLength(0);
    expect((await outboxRows(nd.desk)).filter((r) => r.kind === 'requester.outage-ended')).toHaveLength(2);
  });
});
