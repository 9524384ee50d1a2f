import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, COORDINATOR_TOKEN } from '../../support/desk.js';
import { createCrashDesk, mailByRecipient, unsent, type CrashDesk } from './crash-desk.js';
import { waitFor } from '../../support/wait.js';

/**
 * Issue 11, crash suite (b): `kill -9` of the gateway in the middle of a notification burst (email
 * acknowledgements, and SMS ones with two texts held open by Twilio at the kill: one Twilio had
 * already accepted, one it had not), then a restart. Every acknowledgement reaches its requester
 * once: by Message-ID at the SMTP receiver, by message at the Twilio stand-in; and what was in flight
 * at the kill goes out seconds after the restart.
 */

const EMAILS = 300;
const TEXTS = 6;
let cd: CrashDesk;
const phone = (i: number) => `+3361234${String(i).padStart(4, '0')}`;

beforeAll(async () => {
  cd = await createCrashDesk({ redisDb: 12 });
  const auth = bearer(COORDINATOR_TOKEN);
  // Written before the gateway starts: it finds the whole burst owed at once.
  // The texts first: queued first, they are held open while the emails go out around them.
  for (let i = 0; i < TEXTS + EMAILS; i++) {
    const requester = i < TEXTS ? { name: `Caller ${i}`, phone: phone(i) } : { name: `Person ${i}`, email: `person${i}@client.example` };
    const res = await request(cd.desk.app)
      .post('/api/tickets')
      .set(auth)
      .send({ subject: `Écran ${i} noir`, description: 'Il reste noir.', requester });
    expect(res.status).toBe(201);
  }
}, 60_000);
afterAll(async () => {
  await cd?.close();
});

describe('kill -9 in the middle of a notification burst', () => {
  it('sends each acknowledgement once, email and SMS, the ones in flight seconds after the restart', async () => {
    // The first text reaches Twilio and gets no answer; the second is held before Twilio takes it.
    cd.standIn.holdNext(1, 'accepted');
    cd.standIn.holdNext(1, 'unprocessed');
    const first = await cd.start();
    await waitFor('texts held open and emails going out', () => cd.standIn.held() === 2 && cd.receiver.messages.length >= EMAILS / 10, {
      timeoutMs: 45_000,
      intervalMs: 20,
    });
    const killedAt = await cd.kill9(first);
    const inFlight = await cd.rows<{ id: number; channel: string }>(`SELECT id, channel FROM outbox WHERE status = 'sending'`);
    const mailedAtKill = cd.receiver.messages.length;
    expect(mailedAtKill, 'killed in the middle of the email burst').toBeLessThan(EMAILS);

    const second = await cd.start();
    await waitFor(
      'every acknowledgement sent',
      async () => (await cd.count(`SELECT count(*) AS n FROM outbox WHERE status <> 'sent'`)) === 0,
      { timeoutMs: 60_000, intervalMs: 200, explain: unsent(cd) },
    );

    const byRecipient = mailByRecipient(cd.receiver);
    expect(byRecipient.size).toBe(EMAILS);
    expect([...byRecipient.values()].filter((r) => r.messageIds.size !== 1)).toEqual([]);
    const copies = cd.receiver.messages.length - EMAILS;
    expect(copies).toBeLessThanOrEqual(inFlight.filter((r) => r.channel === 'email').length);

    // One text per caller, the held ones included: the accepted one found at Twilio and recorded,
    // the other sent again, once.
    for (let i = 0; i < TEXTS; i++)
      expect(
        cd.standIn.messages.filter((m) => m.to === phone(i)),
        phone(i),
      ).toHaveLength(1);
    expect(cd.standIn.messages).toHaveLength(TEXTS);
    const reconciled = await cd.count(
      `SELECT count(*) AS n FROM ticket_events WHERE type = 'notified' AND data->>'reconciled' = 'true' AND data->>'channel' = 'sms'`,
    );
    expect(reconciled).toBe(1);

    const [late] = await cd.rows<{ latest: Date }>(`SELECT max(sent_at) AS latest FROM outbox WHERE id = ANY(CAST($ids AS bigint[]))`, {
      ids: inFlight.map((r) => r.id),
    });
    const afterRestartMs = (late?.latest.getTime() ?? 0) - second.readyAt;
    console.info(
      `crash (b): ${EMAILS} emails + ${TEXTS} texts; at the kill ${mailedAtKill} emails out, ${inFlight.length} rows in flight ` +
        `(${inFlight.filter((r) => r.channel === 'sms').length} SMS); those done ${Math.round(((late?.latest.getTime() ?? 0) - killedAt) / 100) / 10} s after the kill, ` +
        `${Math.round(afterRestartMs / 100) / 10} s after the restart was ready; ${copies} same-Message-ID copies`,
    );
    expect(afterRestartMs).toBeLessThan(30_000);
  }, 120_000);
});
