import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliver } from '../../support/dovecot.js';
import { mail, newMessageId } from '../email/mail-desk.js';
import { createCrashDesk, mailByRecipient, unsent, type CrashDesk } from './crash-desk.js';
import { waitFor } from '../../support/wait.js';

/**
 * Issue 11, crash suite (a) and item 15: `kill -9` of the gateway in the middle of a backlog of
 * emails waiting in Dovecot, then a restart. Every email becomes one ticket, every requester gets
 * one acknowledgement, and the acknowledgements that were being sent at the kill go out seconds
 * later (the claim lease is short and renewed by its holder), not minutes (the old 5-minute lease).
 *
 * The 2,000 emails take over a minute here on 2 shared cores (the intake ran at ~100
 * emails/s and the acknowledgements at ~35/s while both competed), over the suite's budget: 400
 * emails, some 15 s of backlog alone, with the kill once a tenth of the acknowledgements are out.
 * (600 passed alone in 32 s, and missed its deadline beside the other crash tests; 2,000 took 32 s
 * alone on a quieter machine and 96 s beside the other two.)
 */

/** `CRASH_BACKLOG=2000 npx vitest run tests/integration/crash/email-backlog.test.ts` for the size. */
const BACKLOG = Number(process.env.CRASH_BACKLOG ?? 400);
/** Deadlines grow with the backlog. */
const SCALE = Math.max(1, BACKLOG / 400);
let cd: CrashDesk;

beforeAll(async () => {
  cd = await createCrashDesk({ redisDb: 11, mailbox: true });
  const user = cd.mailUser as string;
  for (let i = 0; i < BACKLOG; i++) {
    await deliver(
      cd.mailRoot,
      user,
      mail({
        from: `Person ${i} <person${i}@client${i % 40}.example>`,
        subject: `Request ${i}`,
        body: `My screen ${i} stays black.`,
        messageId: newMessageId(),
      }),
    );
  }
}, 60_000 * SCALE);
afterAll(async () => {
  await cd?.close();
});

describe('kill -9 in the middle of an email backlog', () => {
  it(
    'ends with each email one ticket and each acknowledgement sent once, seconds after the restart',
    async () => {
      const first = await cd.start();
      // In the middle: some tickets stored, some acknowledgements out, more on their way.
      await waitFor(
        'acknowledgements going out',
        async () =>
          cd.receiver.messages.length >= BACKLOG / 10 && (await cd.count(`SELECT count(*) AS n FROM outbox WHERE status = 'sending'`)) > 0,
        { timeoutMs: 45_000 * SCALE, intervalMs: 20 },
      );
      const killedAt = await cd.kill9(first);
      const ticketsAtKill = await cd.count('SELECT count(*) AS n FROM tickets');
      const inFlight = await cd.rows<{ id: number }>(`SELECT id FROM outbox WHERE status = 'sending'`);
      // Owed at the kill: in flight, and pending (some of them taken off the queue by the dead worker).
      const owed = await cd.rows<{ id: number }>(`SELECT id FROM outbox WHERE status <> 'sent'`);
      const mailedAtKill = cd.receiver.messages.length;

      const second = await cd.start();
      await waitFor('every email a ticket', async () => (await cd.count('SELECT count(*) AS n FROM tickets')) >= BACKLOG, {
        timeoutMs: 45_000 * SCALE,
        intervalMs: 200,
      });
      await waitFor(
        'every acknowledgement sent',
        async () =>
          (await cd.count(`SELECT count(*) AS n FROM outbox WHERE status <> 'sent'`)) === 0 && cd.receiver.messages.length >= BACKLOG,
        { timeoutMs: 60_000 * SCALE, intervalMs: 200, explain: unsent(cd) },
      );

      // Each email once: one ticket per inbound Message-ID and per requester.
      expect(await cd.count('SELECT count(*) AS n FROM tickets')).toBe(BACKLOG);
      expect(await cd.count(`SELECT count(DISTINCT external_id) AS n FROM messages WHERE direction = 'in'`)).toBe(BACKLOG);
      expect(await cd.count(`SELECT count(DISTINCT ticket_id) AS n FROM messages WHERE direction = 'in'`)).toBe(BACKLOG);

      // Each acknowledgement once: one Message-ID per requester at the SMTP receiver. SMTP has no
      // lookup, so a message accepted by the server in the instant before the kill, before its row
      // recorded it, is sent again with the same Message-ID (deliver.ts); such copies can only come
      // from the rows in flight at the kill.
      const byRecipient = mailByRecipient(cd.receiver);
      expect(byRecipient.size).toBe(BACKLOG);
      expect([...byRecipient.values()].filter((r) => r.messageIds.size !== 1)).toEqual([]);
      const copies = cd.receiver.messages.length - BACKLOG;
      expect(copies).toBeLessThanOrEqual(inFlight.length);

      // The acknowledgements in flight at the kill went out seconds after the restart.
      const [late] = await cd.rows<{ latest: Date }>(`SELECT max(sent_at) AS latest FROM outbox WHERE id = ANY(CAST($ids AS bigint[]))`, {
        ids: inFlight.map((r) => r.id),
      });
      const afterRestartMs = (late?.latest.getTime() ?? 0) - second.readyAt;
      const afterKillMs = (late?.latest.getTime() ?? 0) - killedAt;
      console.info(
        `crash (a): ${BACKLOG} emails; at the kill ${ticketsAtKill} tickets, ${mailedAtKill} acknowledgements out, ${inFlight.length} in flight; ` +
          `those went out ${Math.round(afterKillMs / 100) / 10} s after the kill (${Math.round(afterRestartMs / 100) / 10} s after the restart was ready); ` +
          `${copies} same-Message-ID copies`,
      );
      expect(afterRestartMs).toBeLessThan(30_000);
      // And every acknowledgement owed at the kill, not only those: a job the dead worker had taken
      // off the queue without claiming its row waited for bull's stall check (up to 90 s) before.
      const [owedLate] = await cd.rows<{ latest: Date }>(
        `SELECT max(sent_at) AS latest FROM outbox WHERE id = ANY(CAST($ids AS bigint[]))`,
        { ids: owed.map((r) => r.id) },
      );
      expect((owedLate?.latest.getTime() ?? 0) - second.readyAt).toBeLessThan(30_000 * SCALE);
    },
    150_000 * SCALE,
  );
});
