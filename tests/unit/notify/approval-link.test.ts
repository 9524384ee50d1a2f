import { describe, expect, it } from 'vitest';
import { approvalCode, approvalOfCode, maskedApprovalLink, revealApprovalLink } from '../../../src/notify/approval-link.js';
import { composeMessage, type Facts } from '../../../src/notify/compose.js';
import { render, smsLength } from '../../../src/notify/templates/index.js';
import type { RequestInfo, Ticket } from '../../../src/domain/ticket.js';

const links = { publicUrl: 'https://desk.example.org/', secret: 'api-token-0123456789abcdef' };
const ID = '0b7d3e2a-51c4-4a8e-9f10-2c3d4e5f6a7b';
const row = { kind: 'approver.request', channel: 'email', payload: { approvalId: ID } };
const MASK = '*'.repeat(43);

describe('the approval link code', () => {
  it('gives back its approval, and only with the secret that made it', () => {
    const code = approvalCode(links.secret, ID) ?? '';
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(approvalOfCode(links.secret, code)).toBe(ID);
    expect(approvalOfCode('another-secret-0123456789', code)).toBeNull();
    expect(approvalCode(links.secret, ID.replace('0b7d', '0b7e'))).not.toBe(code);
    const tampered = `${code.slice(0, 42)}${code.endsWith('A') ? 'B' : 'A'}`;
    expect(approvalOfCode(links.secret, tampered)).toBeNull();
    expect(approvalOfCode(links.secret, `${code}A`)).toBeNull();
    // The last character's unused bits (RFC 4648 §3.5): a spelling decoding to the same bytes is no code either.
    const last = code.at(-1) ?? 'A';
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBits = ALPHABET[ALPHABET.indexOf(last) ^ 1] ?? last;
    expect(approvalOfCode(links.secret, `${code.slice(0, 42)}${sameBits}`)).toBeNull();
    expect(approvalOfCode(links.secret, '../../etc/passwd')).toBeNull();
    expect(approvalCode(links.secret, 'not-a-uuid')).toBeNull();
  });

  it('is masked in the stored text, approve and reject links alike, and revealed only in what goes out', () => {
    const masked = maskedApprovalLink(links, row);
    expect(masked).toBe(`https://desk.example.org/approvals/${MASK}`);
    expect(maskedApprovalLink(links, { ...row, kind: 'approver.reminder' })).toBe(masked);
    expect(maskedApprovalLink(links, { ...row, kind: 'requester.created' })).toBeUndefined();
    expect(maskedApprovalLink({ ...links, secret: undefined }, row)).toBeUndefined();
    const text = `approve: ${masked}\nreject: ${masked}#reject`;
    const code = approvalCode(links.secret, ID) ?? '';
    expect(revealApprovalLink(links, row, text)).toBe(
      `approve: https://desk.example.org/approvals/${code}\nreject: https://desk.example.org/approvals/${code}#reject`,
    );
    expect(revealApprovalLink(links, { ...row, kind: 'requester.created' }, text)).toBe(text);
  });
});

const ticket: Ticket = {
  id: 't1',
  number: 1042,
  reference: 'HD-1042',
  type: 'request',
  channel: 'web',
  status: 'awaiting_approval',
  priority: 'P4',
  impact: 'low',
  urgency: 'medium',
  category: 'access',
  tier: 1,
  subject: 'Access to an application: SAP',
  description: 'Application: SAP\nAccess level: read\nReason: month-end closing',
  requester: { id: 'r1', name: 'Alice Martin', email: 'alice@example.com', phone: null },
  assignee: null,
  watchers: [],
  sla: { respondBy: null, resolveBy: null, respondedAt: null, breached: false },
  outageId: null,
  linkedTicketId: null,
  parentId: null,
  resolution: null,
  createdAt: '2025-06-12T08:00:00Z',
  updatedAt: '2025-06-12T08:00:00Z',
  resolvedAt: null,
  closedAt: null,
};
const request: RequestInfo = {
  item: { id: 'app-access', name: 'Access to an application' },
  fields: { application: 'SAP' },
  approval: 'all',
  approvals: [
    {
      id: ID,
      approver: { name: 'Bob Manager', email: 'bob@example.com', phone: '+33611111111' },
      decision: null,
      via: null,
      comment: null,
      at: null,
    },
    { id: 'x', approver: { email: 'carol@example.com' }, decision: 'approved', via: 'link', comment: null, at: '2025-06-12T09:00:00Z' },
  ],
  children: [],
};
const facts: Facts = { ticket, cause: null, request };
const compose = (kind: string, language: 'en' | 'fr', payload: Record<string, unknown>, link?: string) =>
  composeMessage({ kind, language, payload }, facts, 'Europe/Paris', undefined, [], link);

describe('the approver’s messages', () => {
  it('ask with the item, the fields, the two links and, to a phone, the SMS answers', () => {
    const link = maskedApprovalLink(links, row);
    const en = compose('approver.request', 'en', { approvalId: ID }, link);
    expect(en.subject).toBe('[HD-1042] Approval needed: Access to an application');
    expect(en.text).toMatch(/^Hello Bob Manager,/);
    expect(en.text).toContain('Alice Martin asks for "Access to an application"');
    expect(en.text).toContain('> Access level: read');
    expect(en.text).toContain(`To approve: ${link}`);
    expect(en.text).toContain(`${link}#reject`);
    expect(en.text).toContain('YES 1042');
    expect(en.sms).toMatch(new RegExp(`YES 1042 / NO 1042 <reason>\\n${link?.replace(/[*.]/g, '\\$&')}$`));
    expect(smsLength(en.sms)).toBeLessThanOrEqual(160);
    const fr = compose('approver.reminder', 'fr', { approvalId: ID }, link);
    expect(fr.subject).toBe('[HD-1042] Relance : approbation demandée : Access to an application');
    expect(fr.sms).toContain('OUI 1042 / NON 1042 <motif>');
    expect(fr.sms.startsWith('Relance HD-1042 à approuver : Alice Martin : Acces')).toBe(true);
    expect(smsLength(fr.sms)).toBeLessThanOrEqual(160);
  });

  it('tell the coordinator who has not answered', () => {
    const out = compose('coordinator.approval-overdue', 'en', { askedAt: '2025-06-12T08:00:00Z' });
    expect(out.text).toContain('- Bob Manager (bob@example.com, +33611111111)');
    expect(out.text).not.toContain('carol@example.com');
    expect(out.text).toContain('10:00');
  });

  it('tell the requester why their request was not approved, and that a new one awaits approval', () => {
    const out = compose('requester.rejected', 'en', { comment: 'Not before the audit.' });
    expect(out.text).toContain('> Not before the audit.');
    expect(out.sms).toBe('HD-1042: your request was not approved: Not before the audit.');
    const created = compose('requester.created', 'fr', {});
    expect(created.text).toContain('doit d’abord être approuvée');
    expect(created.text).not.toContain('Un technicien va prendre');
    const incident = render('created', 'en', { ticket: { number: 7, subject: 'x', priority: 'P3' } });
    expect(incident.text).toContain('A technician will pick up your request.');
  });
});
