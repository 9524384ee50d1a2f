import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketListener } from '../../../src/tickets/deps.js';
import { changeTickets } from '../../../src/tickets/apply-change.js';
import { moveDecision } from '../../../src/tickets/actions.js';
import { within } from '../../../src/tickets/deps.js';
import { openTicket } from '../../../src/tickets/open-ticket.js';
import { createTestDesk, type TestDesk } from '../../support/desk.js';

/**
 * changeTickets, the batch the email intake writes a backlog with: changes to one ticket decide one
 * after the other, each through the one ticket writer, with their own actors and their own causes,
 * and nobody hears of them before the commit.
 */

let desk: TestDesk;

beforeAll(async () => {
  desk = await createTestDesk();
});
afterAll(async () => {
  await desk?.close();
});

async function newTicket(subject: string): Promise<string> {
  const opened = await openTicket(desk.services.tickets, {
    channel: 'web',
    subject,
    description: subject,
    requester: { name: 'Ada', email: `ada-${subject.toLowerCase().replace(/\W+/g, '-')}@example.org` },
  });
  if (!opened.created) throw new Error('not created');
  return opened.ticket.id;
}

function events(ticketId: string) {
  return desk.sequelize.query<{ id: string; type: string; actor: string }>(
    `SELECT id::text AS id, type, actor FROM ticket_events WHERE ticket_id = $ticketId ORDER BY id`,
    { bind: { ticketId }, type: QueryTypes.SELECT },
  );
}

function heard(): { listener: TicketListener; changes: { ticketId: string; events: string[] }[] } {
  const changes: { ticketId: string; events: string[] }[] = [];
  return { listener: (change) => void changes.push({ ticketId: change.ticketId, events: change.events }), changes };
}

describe('changeTickets', () => {
  it('writes each change in order, with its actor, keyed notifications to its own last event', async () => {
    const id = await newTicket('Printer jammed');
    const other = await newTicket('Screen flickers');
    const told = heard();
    const deps = { ...desk.services.tickets, listeners: [told.listener] };
    const note = (body: string) => () => ({ changes: {}, events: [{ type: 'note', data: { body, internal: true } }] });

    const after = await changeTickets(deps, [
      { ticketId: id, actor: 'coordinator', decide: note('first') },
      { ticketId: other, actor: 'coordinator', decide: note('elsewhere') },
      { ticketId: id, actor: 'coordinator', decide: (t, now) => moveDecision(t, 'pending', now) },
      { ticketId: id, actor: 'system:email', decide: note('second') },
      { ticketId: id, actor: 'system:email', decide: (t, now) => moveDecision(t, 'in_progress', now) },
    ]);

    expect(after.map((s) => [s.id, s.status])).toEqual([
      [id, 'new'],
      [other, 'new'],
      [id, 'pending'],
      [id, 'pending'],
      [id, 'in_progress'],
    ]);
    const history = await events(id);
    expect(history.map((e) => [e.type, e.actor])).toEqual([
      ['created', 'coordinator'],
      ['note', 'coordinator'],
      ['status_changed', 'coordinator'],
      ['note', 'system:email'],
      ['status_changed', 'system:email'],
    ]);
    const pending = (await desk.services.store.outbox.forTicket(id)).filter((row) => row.kind === 'requester.pending');
    expect(pending).toHaveLength(1);
    expect(pending[0]?.idempotencyKey.startsWith(`${history[2]?.id}:`)).toBe(true);
    expect(told.changes).toEqual([
      { ticketId: id, events: ['note'] },
      { ticketId: other, events: ['note'] },
      { ticketId: id, events: ['status_changed'] },
      { ticketId: id, events: ['note'] },
      { ticketId: id, events: ['status_changed'] },
    ]);
    const ticket = await desk.services.store.tickets.get(id);
    expect(ticket?.status).toBe('in_progress');
  });

  it('joins the caller’s transaction: nothing is written or heard when it rolls back, all of it once it commits', async () => {
    const id = await newTicket('VPN down');
    const told = heard();
    const deps = { ...desk.services.tickets, listeners: [told.listener] };
    const decide = (t: Parameters<typeof moveDecision>[0], now: Date) => moveDecision(t, 'pending', now);

    await expect(
      desk.services.store.transaction(async (tx) => {
        await changeTickets(within(deps, tx), [{ ticketId: id, actor: 'coordinator', decide }]);
        expect(told.changes).toEqual([]);
        throw new Error('the caller fails after the change');
      }),
    ).rejects.toThrow('the caller fails after the change');
    expect(told.changes).toEqual([]);
    expect((await desk.services.store.tickets.get(id))?.status).toBe('new');

    await desk.services.store.transaction(async (tx) => {
      await changeTickets(within(deps, tx), [{ ticketId: id, actor: 'coordinator', decide }]);
      expect(told.changes).toEqual([]);
    });
    expect(told.changes).toEqual([{ ticketId: id, events: ['status_changed'] }]);
    expect((await desk.services.store.tickets.get(id))?.status).toBe('pending');
  });
});
