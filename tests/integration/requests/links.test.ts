import type { Browser } from 'playwright-core';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAccessibility, openBrowser, startConsole, watchConsoleErrors, type RunningConsole } from '../../support/browser.js';
import { waitFor } from '../../support/wait.js';
import {
  approvalCodesIn,
  changesOf,
  createApprovalDesk,
  createItem,
  detailOf,
  open,
  outboxKinds,
  PUBLIC_URL,
  type ApprovalDesk,
} from './approval-desk.js';

/**
 * Issue 17, the approvers' email links: an `all` request approved by one approver's link and
 * rejected by the other's (with its comment) is closed and the requester told why; a rejection
 * without a comment is refused as the API refuses it (422) and changes nothing; a link used again,
 * or a forged one, changes nothing.
 */

let ad: ApprovalDesk;
const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const CAROL = 'carol@example.com';

beforeAll(async () => {
  ad = await createApprovalDesk();
  await ad.start();
  await createItem(ad, {
    id: 'vpn-access',
    name: 'VPN access',
    description: 'Remote access to the network',
    fields: [
      { name: 'reason', label: 'Why you need it', type: 'text', required: true },
      { name: 'until', label: 'Until', type: 'date', required: false },
    ],
    approvers: [
      { name: 'Bob Manager', email: BOB },
      { name: 'Carol Security', email: CAROL },
    ],
    approval: 'all',
    category: 'access',
    tasks: [],
  });
});
afterAll(async () => {
  await ad?.close();
});

const mailTo = (address: string, subject: RegExp) =>
  waitFor(
    `the email to ${address} (${subject.source})`,
    () => ad.receiver.messages.find((m) => m.envelope.to.includes(address) && subject.test(m.parsed.subject ?? '')) ?? null,
  );

const page = (code: string) => request(ad.desk.app).get(`/approvals/${code}`).query({ lang: 'en' });
const answer = (code: string, form: Record<string, string>) =>
  request(ad.desk.app).post(`/approvals/${code}`).query({ lang: 'en' }).set('Origin', PUBLIC_URL).type('form').send(form);

describe('an `all` request answered by its email links', () => {
  let number = 0;
  let ticketId = '';
  const codes: Record<string, string> = {};

  it('asks each approver by email with the request and its approve and reject links, and tells the requester it awaits approval', async () => {
    const ticket = await open(ad, { itemId: 'vpn-access', fields: { reason: 'On call from home', until: '2026-12-31' } });
    number = ticket.number;
    ticketId = ticket.id;
    expect(ticket.status).toBe('awaiting_approval');
    for (const [who, address] of [
      ['bob', BOB],
      ['carol', CAROL],
    ] as const) {
      const mail = await mailTo(address, /Approval needed: VPN access/);
      const text = mail.parsed.text ?? '';
      expect(text).toContain('Alice Martin asks for "VPN access"');
      expect(text).toContain('On call from home');
      const found = approvalCodesIn(text);
      expect(found).toHaveLength(1);
      expect(text).toContain(`${PUBLIC_URL}/approvals/${found[0]}#reject`);
      expect(approvalCodesIn(String(mail.parsed.html))).toEqual(found);
      codes[who] = found[0] ?? '';
    }
    expect(codes.bob).not.toBe(codes.carol);
    const ack = await mailTo(ALICE, /Request received/);
    expect(ack.parsed.text).toContain('needs an approval first');
  });

  it('stores the texts with the codes masked: neither the outbox nor the recorded messages hold one', async () => {
    const [stored] = await ad.desk.sequelize.query<{ rendered: string; bodies: string }>(
      `SELECT (SELECT string_agg(rendered::text, ' ') FROM outbox WHERE ticket_id = $ticketId) AS rendered,
              (SELECT string_agg(body, ' ') FROM messages WHERE ticket_id = $ticketId) AS bodies`,
      { bind: { ticketId }, type: QueryTypes.SELECT },
    );
    expect(stored?.rendered).toContain(`${PUBLIC_URL}/approvals/${'*'.repeat(43)}`);
    for (const code of Object.values(codes)) {
      expect(stored?.rendered).not.toContain(code);
      expect(stored?.bodies ?? '').not.toContain(code);
    }
  });

  it('shows the request on the link’s page, with both forms; opening it changes nothing', async () => {
    const before = await changesOf(ad, number);
    const res = await page(codes.bob ?? '');
    expect(res.status).toBe(200);
    expect(res.text).toContain('VPN access');
    expect(res.text).toContain('Why you need it');
    expect(res.text).toContain('On call from home');
    expect(res.text).toMatch(/<button type="submit">\s*Approve\s*<\/button>/);
    expect(res.text).toContain('id="reject"');
    expect(res.text).toMatch(/<textarea[^>]*name="comment"[^>]*required/);
    expect(await changesOf(ad, number)).toEqual(before);
  });

  it('counts one approval of `all`: the request still waits for the other', async () => {
    const res = await answer(codes.carol ?? '', { decision: 'approve' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Approval recorded');
    const t = await detailOf(ad, number);
    expect(t.status).toBe('awaiting_approval');
    expect(t.events.filter((e) => e.type === 'approval')).toEqual([
      expect.objectContaining({ actor: `approver:${CAROL}`, data: { decision: 'approved', via: 'link' } }),
    ]);
  });

  it('refuses a rejection without a comment (422, the form again with the error) and changes nothing', async () => {
    const before = await changesOf(ad, number);
    const res = await answer(codes.bob ?? '', { decision: 'reject', comment: '   ' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Say why you reject the request');
    expect(res.text).toMatch(/<textarea[^>]*aria-invalid="true"[^>]*aria-describedby="approval-comment-error"/);
    expect(await changesOf(ad, number)).toEqual(before);
    const bare = await answer(codes.bob ?? '', { decision: 'reject' });
    expect(bare.status).toBe(422);
    expect(await changesOf(ad, number)).toEqual(before);
  });

  it('closes the request on one rejection with its comment, and tells the requester why', async () => {
    const res = await answer(codes.bob ?? '', { decision: 'reject', comment: 'Not before the security audit.' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Rejected');
    const t = await detailOf(ad, number);
    expect(t.status).toBe('closed');
    expect(t.resolution).toBe('Not before the security audit.');
    expect(t.events.filter((e) => e.type === 'approval').at(-1)).toMatchObject({
      actor: `approver:${BOB}`,
      data: { decision: 'rejected', via: 'link', comment: 'Not before the security audit.' },
    });
    expect(await outboxKinds(ad, ticketId)).toContainEqual({ kind: 'requester.rejected', channel: 'email', recipient: ALICE });
    const told = await mailTo(ALICE, /Request not approved/);
    expect(told.parsed.text).toContain('> Not before the security audit.');
  });

  it('changes nothing when a link is used again, by either approver, and shows it decided', async () => {
    const before = await changesOf(ad, number);
    for (const code of [codes.bob ?? '', codes.carol ?? '']) {
      const again = await answer(code, { decision: 'approve' });
      expect(again.status).toBe(410);
      expect(again.text).toContain('already been decided');
      const shown = await page(code);
      expect(shown.status).toBe(200);
      expect(shown.text).toContain('already been decided');
      expect(shown.text).not.toContain('<form');
    }
    expect(await changesOf(ad, number)).toEqual(before);
    const rejected = (await outboxKinds(ad, ticketId)).filter((r) => r.kind === 'requester.rejected');
    expect(rejected).toHaveLength(1);
  });

  it('opens nothing with a forged or altered code, and refuses a form posted from another site', async () => {
    const code = codes.bob ?? '';
    const forged = `${code.slice(0, 42)}${code.endsWith('A') ? 'B' : 'A'}`;
    expect((await page(forged)).status).toBe(404);
    expect((await answer(forged, { decision: 'approve' })).status).toBe(404);
    expect((await page('not-a-code')).status).toBe(404);
    const crossSite = await request(ad.desk.app)
      .post(`/approvals/${code}`)
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ decision: 'approve' });
    expect(crossSite.status).toBe(403);
  });
});

describe('the link’s page in a browser', () => {
  let browser: Browser;
  let web: RunningConsole;
  let code = '';

  beforeAll(async () => {
    [browser, web] = await Promise.all([openBrowser(), startConsole(ad.desk)]);
    const ticket = await open(ad, { itemId: 'vpn-access', fields: { reason: 'Astreinte' } });
    const mail = await waitFor(
      'the request to Bob',
      () =>
        ad.receiver.messages.find((m) => m.envelope.to.includes(BOB) && (m.parsed.subject ?? '').includes(`HD-${ticket.number}`)) ?? null,
    );
    code = approvalCodesIn(mail.parsed.text ?? '')[0] ?? '';
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it.each(['en', 'fr'] as const)('is accessible and speaks %s, without a console error', async (lang) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchConsoleErrors(page);
    await page.goto(`${web.base}/approvals/${code}?lang=${lang}`);
    expect(await page.getByRole('button', { name: lang === 'en' ? 'Approve' : 'Approuver' }).isVisible()).toBe(true);
    await page.getByLabel(lang === 'en' ? 'Reason for rejecting' : 'Motif du refus').fill('x');
    expect(await checkAccessibility(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
