import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, createNotifyDesk, type NotifyDesk } from './notify-desk.js';

/**
 * Issue 11, item 9: the acknowledgement of a printer ticket named an unrelated VPN outage. An
 * acknowledgement names an ongoing outage only when it may explain the problem: the same category
 * when the outage has one, else words in common; one with neither is not named.
 */

let nd: NotifyDesk;

beforeAll(async () => {
  nd = await createNotifyDesk({ twilio: false });
  await nd.start();
  const announce = async (body: Record<string, unknown>) =>
    expect((await request(nd.desk.app).post('/api/outages').set(auth).send(body)).status).toBe(201);
  await announce({ title: 'VPN indisponible', message: "L'accès à distance est en panne depuis 8h." });
  await announce({ title: 'Coupure réseau bâtiment B', message: 'Les équipes réseau interviennent.', category: 'network' });
  await announce({ title: "Serveur d'impression arrêté", message: 'Les files sont suspendues.', category: 'printing' });
  await announce({ title: 'Maintenance planifiée', message: 'Intervention en cours.' });
});
afterAll(async () => {
  await nd?.close();
});

async function acknowledgementOf(subject: string, description: string, email: string): Promise<{ category: string | null; text: string }> {
  const res = await request(nd.desk.app)
    .post('/api/tickets')
    .set(auth)
    .send({ subject, description, requester: { name: 'Kim', email } });
  expect(res.status).toBe(201);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const mail = nd.receiver.messages.find((m) => m.envelope.to.includes(email));
    if (mail) return { category: res.body.category as string | null, text: mail.parsed.text ?? '' };
    if (Date.now() > deadline) throw new Error(`no acknowledgement to ${email}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('the outages an acknowledgement names', () => {
  it('a printer ticket hears of the print server, not of the VPN nor of the network', async () => {
    const ack = await acknowledgementOf(
      "L'imprimante n'imprime plus",
      "L'imprimante du 2e étage affiche une erreur papier.",
      'printer@example.com',
    );
    expect(ack.category).toBe('printing');
    expect(ack.text).toContain("Serveur d'impression arrêté");
    expect(ack.text).not.toContain('VPN');
    expect(ack.text).not.toContain('Coupure réseau');
    expect(ack.text).not.toContain('Maintenance planifiée');
  });

  it('a VPN ticket hears of the VPN outage (words in common) and of the network one (its category)', async () => {
    const ack = await acknowledgementOf('Connexion VPN impossible', 'Le VPN refuse de se connecter depuis ce matin.', 'vpn@example.com');
    expect(ack.category).toBe('network');
    expect(ack.text).toContain('VPN indisponible');
    expect(ack.text).toContain('Coupure réseau bâtiment B');
    expect(ack.text).not.toContain("Serveur d'impression");
    expect(ack.text).not.toContain('Maintenance planifiée');
  });

  it('a ticket no outage concerns names none', async () => {
    const ack = await acknowledgementOf('Écran qui clignote', "Mon deuxième écran clignote quand je l'allume.", 'screen@example.com');
    expect(ack.text).not.toMatch(/incidents? connus?/i);
    expect(ack.text).not.toContain('VPN');
  });
});
