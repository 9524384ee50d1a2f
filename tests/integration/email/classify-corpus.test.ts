import { readFileSync } from 'node:fs';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, createMailDesk, fixture, mail, recordOutbound, ticketsFrom, type MailDesk } from './mail-desk.js';
import { waitFor } from '../../support/wait.js';

/**
 * The bounce and auto-reply corpus (tests/fixtures/email/bounces/manifest.json) through the real intake, one case
 * of each mail system: no bounce or auto-reply opens a ticket or sends anything, and each failure marks our
 * outbound email failed with the address that failed in its error.
 */

interface Case {
  file: string;
  system: string;
  kind: 'bounce' | 'auto-reply';
  failed?: boolean;
  originalMessageId?: string;
  failedRecipient?: string;
}

const MANIFEST: Case[] = JSON.parse(readFileSync(new URL('../../fixtures/email/bounces/manifest.json', import.meta.url), 'utf8')) as Case[];
/** The first case of each mail system and kind. */
const SAMPLE = MANIFEST.filter((c, index) => MANIFEST.findIndex((o) => o.system === c.system && o.failed === c.failed) === index);

let m: MailDesk;

beforeAll(async () => {
  m = await createMailDesk();
  await m.startReader();
});
afterAll(async () => {
  await m?.close();
});

describe('the corpus through the intake', () => {
  it('opens no ticket, sends nothing, and marks each failed outbound email with who did not get it', async () => {
    await m.deliver(mail({ from: 'paul@client.example', subject: 'New laptop', body: 'I need a new laptop.' }));
    const [ticket] = await waitFor('the ticket', async () => {
      const rows = await ticketsFrom(m.desk, 'paul@client.example');
      return rows.length > 0 && rows;
    });
    if (ticket === undefined) throw new Error('no ticket');
    const ticketsBefore = await countRows(m.desk, 'tickets');
    const outboxBefore = await countRows(m.desk, 'outbox');

    const failures: { ours: string; recipient: string; file: string }[] = [];
    for (const c of SAMPLE) {
      let raw = fixture(c.file);
      if (c.originalMessageId !== undefined) {
        const ours = await recordOutbound(m.desk, ticket.id, c.failedRecipient ?? 'paul@client.example');
        raw = raw.split(c.originalMessageId).join(ours);
        if (c.failed === true && c.failedRecipient !== undefined) failures.push({ ours, recipient: c.failedRecipient, file: c.file });
      }
      await m.deliver(raw);
    }
    await m.caughtUp();

    expect(SAMPLE.length).toBeGreaterThanOrEqual(40);
    for (const failure of failures) {
      const [sent] = await m.desk.sequelize.query<{ status: string; error: string | null }>(
        `SELECT status, error FROM messages WHERE external_id = :id`,
        { replacements: { id: `<${failure.ours}>` }, type: QueryTypes.SELECT },
      );
      expect({ file: failure.file, status: sent?.status, names: sent?.error?.includes(failure.recipient) }).toEqual({
        file: failure.file,
        status: 'failed',
        names: true,
      });
    }
    expect(await countRows(m.desk, 'tickets')).toBe(ticketsBefore);
    expect(await countRows(m.desk, 'outbox')).toBe(outboxBefore);
  });
});
