import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideAsCoordinator } from '../../../src/tickets/approvals.js';
import { startApprovalReminders, sweepApprovals } from '../../../src/tickets/approval-reminders.js';
import { waitFor } from '../../support/wait.js';
import { approvalCodesIn, COORDINATOR, createApprovalDesk, open, type ApprovalDesk } from './approval-desk.js';

/**
 * Issue 17, reminders: HELPDESK_APPROVAL_REMINDER after an approver was asked without answering,
 * they are reminded once, on each channel they were asked on; as long again after the reminder,
 * the coordinator is told once. A request decided in time is reminded of nothing.
 */

const DELAY_MS = 2_000;
let ad: ApprovalDesk;
const MANAGER = { name: 'Manon Lead', email: 'manon@example.com', phone: '+33655555555' };

beforeAll(async () => {
  ad = await createApprovalDesk({ HELPDESK_APPROVAL_REMINDER: '2s' });
  await ad.start();
});
afterAll(async () => {
  await ad?.close();
});

const accessRequest = (email: string) =>
  open(ad, {
    itemId: 'app-access',
    requester: { name: 'Alice Martin', email, manager: MANAGER },
    fields: { application: 'SAP', accessLevel: 'read', reason: 'Month-end closing' },
  });

interface Row {
  kind: string;
  channel: string;
  recipient: string;
  createdAt: Date;
}
const rowsOf = (ticketId: string, kind: string) =>
  ad.desk.sequelize.query<Row>(
    `SELECT kind, channel, recipient, created_at AS "createdAt" FROM outbox WHERE ticket_id = $ticketId AND kind = $kind ORDER BY id`,
    { bind: { ticketId, kind }, type: QueryTypes.SELECT },
  );

describe('an approval nobody answers', () => {
  it('is reminded once after the delay, on email and SMS, then the coordinator is told once', async () => {
    expect(ad.desk.config.approvalReminderMs).toBe(DELAY_MS);
    const ticket = await accessRequest('alice@example.com');
    const [asked] = await rowsOf(ticket.id, 'approver.request');
    expect(asked).toBeDefined();

    // Before the delay: nothing is due.
    expect(await sweepApprovals(ad.desk.services.tickets, DELAY_MS)).toBe(0);
    expect(await rowsOf(ticket.id, 'approver.reminder')).toEqual([]);

    const stop = startApprovalReminders(ad.roleContext(), { everyMs: 200 });
    try {
      const reminded = await waitFor('the reminders', async () => {
        const rows = await rowsOf(ticket.id, 'approver.reminder');
        return rows.length >= 2 ? rows : null;
      });
      expect(reminded.map((r) => [r.channel, r.recipient]).sort()).toEqual([
        ['email', MANAGER.email],
        ['sms', MANAGER.phone],
      ]);
      expect(reminded[0]!.createdAt.getTime() - asked!.createdAt.getTime()).toBeGreaterThanOrEqual(DELAY_MS - 50);
      expect(await rowsOf(ticket.id, 'coordinator.approval-overdue')).toEqual([]);

      const overdue = await waitFor('the coordinator told', async () => {
        const rows = await rowsOf(ticket.id, 'coordinator.approval-overdue');
        return rows.length > 0 ? rows : null;
      });
      expect(overdue.map((r) => [r.channel, r.recipient])).toEqual([['email', COORDINATOR]]);
      expect(overdue[0]!.createdAt.getTime() - reminded[0]!.createdAt.getTime()).toBeGreaterThanOrEqual(DELAY_MS - 50);
    } finally {
      await stop();
    }

    // Once each: further sweeps owe nothing more.
    expect(await sweepApprovals(ad.desk.services.tickets, DELAY_MS)).toBe(0);
    expect(await rowsOf(ticket.id, 'approver.reminder')).toHaveLength(2);
    expect(await rowsOf(ticket.id, 'coordinator.approval-overdue')).toHaveLength(1);

    // What they read: the reminder carries the link again; the coordinator's names who has not answered.
    const reminder = await waitFor(
      'the reminder email',
      () =>
        ad.receiver.messages.find(
          (m) => m.envelope.to.includes(MANAGER.email) && /Reminder: approval needed/.test(m.parsed.subject ?? ''),
        ) ?? null,
    );
    expect(approvalCodesIn(reminder.parsed.text ?? '')).toHaveLength(1);
    const sms = await waitFor(
      'the reminder SMS',
      () => ad.standIn.messages.find((m) => m.to === MANAGER.phone && m.body.startsWith('Reminder')) ?? null,
    );
    expect(sms.body).toContain(`YES ${ticket.number}`);
    const told = await waitFor(
      'the coordinator’s email',
      () =>
        ad.receiver.messages.find((m) => m.envelope.to.includes(COORDINATOR) && (m.parsed.subject ?? '').includes(`HD-${ticket.number}`)) ??
        null,
    );
    expect(told.parsed.subject).toContain('Approval overdue');
    expect(told.parsed.text).toContain(`Manon Lead (${MANAGER.email}, ${MANAGER.phone})`);
  });
});

describe('an approval answered in time', () => {
  it('is reminded of nothing', async () => {
    const ticket = await accessRequest('bob@example.com');
    await decideAsCoordinator(ad.desk.services.tickets, ticket.id, { decision: 'approved', via: 'api' });
    const [asked] = await rowsOf(ticket.id, 'approver.request');
    // Past the delay (the database's clock, as the sweep reads it), the sweep still owes it nothing.
    await waitFor('the delay to pass', async () => {
      const [row] = await ad.desk.sequelize.query<{ passed: boolean }>(
        `SELECT now() - $askedAt::timestamptz > $delay * interval '1 millisecond' AS passed`,
        { bind: { askedAt: asked!.createdAt.toISOString(), delay: DELAY_MS }, type: QueryTypes.SELECT },
      );
      return row?.passed ? true : null;
    });
    await sweepApprovals(ad.desk.services.tickets, DELAY_MS);
    expect(await rowsOf(ticket.id, 'approver.reminder')).toEqual([]);
    expect(await rowsOf(ticket.id, 'coordinator.approval-overdue')).toEqual([]);
  });
});
