import { describe, expect, it } from 'vitest';
import { LANGUAGES, type Language } from '../../../src/domain/values.js';
import {
  audienceOf,
  render,
  smsLength,
  TEMPLATE_KINDS,
  toGsm,
  type TemplateContexts,
  type TemplateKind,
  type TicketInfo,
} from '../../../src/notify/templates/index.js';
import { sms } from '../../../src/notify/templates/format.js';

const ticket: TicketInfo = { number: 1042, subject: 'Imprimante du 3e étage en panne', priority: 'P2', category: 'printing', tier: 1 };
const DUE = '2025-06-12T12:30:00Z'; // 14:30 in Paris
const APPROVAL_LINK = `https://desk.example.org/approvals/${'*'.repeat(43)}`;

function contexts(t: TicketInfo, text: string, name: string | null): { [K in TemplateKind]: TemplateContexts[K] } {
  return {
    created: { ticket: t, requesterName: name, outages: [{ title: text, message: text }] },
    assigned: { ticket: t, requesterName: name, technicianName: name },
    pending: { ticket: t, requesterName: name, question: text },
    escalated: { ticket: t, requesterName: name },
    resolved: { ticket: t, requesterName: name, resolution: text },
    closed: { ticket: t, requesterName: name },
    'omitted-attachments': {
      ticket: t,
      requesterName: name,
      omitted: [
        { filename: `${text}.exe`, reason: 'blocked_type' },
        { filename: 'scan.pdf', reason: 'too_large', sizeBytes: 31_457_280 },
      ],
      limits: { maxBytes: 10_485_760 },
    },
    offer: { ticket: t, summary: text, requesterName: name, timeoutMinutes: 10 },
    'offer-reminder': { ticket: t, minutesLeft: 3 },
    'sla-warning': { ticket: t, target: 'respond', dueAt: DUE },
    'requester-replied': { ticket: t, requesterName: name, excerpt: text, channel: 'email' },
    escalation: { ticket: t, reason: text, fromTier: 1, toTier: 2, by: name, assigneeName: name },
    breach: { ticket: t, target: 'resolve', dueAt: new Date(DUE), assigneeName: name },
    'outage-ended': { ticket: t, requesterName: name, outage: { title: text, message: text } },
    storm: {
      ticket: t,
      tickets: [
        { number: 1042, subject: text },
        { number: 1043, subject: text },
      ],
      link: `https://desk.example.org/outages`,
    },
    rejected: { ticket: t, requesterName: name, comment: text },
    request: { ticket: t, requesterName: name, approverName: name, itemName: text, details: text, link: APPROVAL_LINK, bySms: true },
    reminder: { ticket: t, requesterName: name, approverName: name, itemName: text, details: text, link: APPROVAL_LINK, bySms: false },
    'approval-overdue': { ticket: t, requesterName: name, itemName: text, waitingFor: [text], askedAt: DUE },
  };
}

const renderAll = (lang: Language, ctxs: ReturnType<typeof contexts>) =>
  TEMPLATE_KINDS.map((kind) => ({ kind, out: render(kind, lang, ctxs[kind] as never) }));

describe.each(LANGUAGES)('templates in %s', (lang) => {
  const plain = contexts(ticket, 'Le toner est vide', 'Alice');

  it.each(TEMPLATE_KINDS)('renders %s with every part', (kind) => {
    const out = render(kind, lang, plain[kind] as never);
    expect(out.subject.startsWith('[HD-1042] ')).toBe(true);
    expect(out.subject).not.toMatch(/[\r\n]/);
    expect(out.text.trim().length).toBeGreaterThan(20);
    expect(out.html).toMatch(new RegExp(`^<!doctype html>\\n<html lang="${lang}">`));
    expect(out.sms).toContain('HD-1042');
    expect(toGsm(out.sms)).toBe(out.sms);
    expect(smsLength(out.sms)).toBeLessThanOrEqual(160);
  });

  it('keeps every SMS within one segment and every subject tagged, even with very long user text', () => {
    const long = contexts(
      { ...ticket, subject: 'Écran noir '.repeat(60) },
      'Ça ne marche toujours pas, même après redémarrage. '.repeat(20),
      'Jean-Baptiste '.repeat(10),
    );
    for (const { kind, out } of renderAll(lang, long)) {
      expect(smsLength(out.sms), `${kind}: ${out.sms}`).toBeLessThanOrEqual(160);
      expect(toGsm(out.sms)).toBe(out.sms);
      expect(out.subject.startsWith('[HD-1042] '), kind).toBe(true);
      expect(out.subject.length, kind).toBeLessThan(200);
    }
  });

  it('escapes user text in the HTML part, and only there', () => {
    const evil = '<script>alert("x")</script> & <b>bold</b>';
    const hostile = contexts({ ...ticket, subject: evil }, evil, '<img src=x onerror=alert(1)>');
    for (const { kind, out } of renderAll(lang, hostile)) {
      expect(out.html, kind).not.toContain('<script>');
      expect(out.html, kind).not.toContain('<b>');
      expect(out.html, kind).not.toContain('<img');
      expect(out.html, kind).toContain('&lt;script&gt;');
    }
    const resolved = render('resolved', lang, hostile.resolved);
    expect(resolved.text).toContain(evil);
    expect(resolved.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;');
  });

  it('collapses a subject that tries to add header lines', () => {
    const out = render('created', lang, { ticket: { ...ticket, subject: 'hello\r\nBcc: x@example.com' } });
    expect(out.subject).not.toMatch(/[\r\n]/);
    expect(out.subject.startsWith('[HD-1042] ')).toBe(true);
  });

  it('acknowledges with the number, the known outages and how to reply', () => {
    const out = render('created', lang, {
      ticket,
      outages: [{ title: 'VPN outage', message: 'Remote access is down since 9:00' }],
    });
    expect(out.text).toContain('HD-1042');
    expect(out.text).toContain('VPN outage');
    expect(out.text).toContain('Remote access is down since 9:00');
    expect(out.text).toMatch(lang === 'fr' ? /répondez simplement à ce message/ : /simply reply to this email/);
    expect(out.sms).toContain('VPN outage');
    const quiet = render('created', lang, { ticket });
    expect(quiet.text).not.toMatch(/incident/i);
  });

  it('gives the resolution note and how to reopen', () => {
    const out = render('resolved', lang, { ticket, resolution: 'Toner replaced.\nTest page printed.' });
    expect(out.text).toContain('> Toner replaced.\n> Test page printed.');
    expect(out.html).toContain('Toner replaced.<br>');
    expect(out.sms).toContain('Toner replaced.');
    expect(out.sms).toMatch(/REOPEN\.$/);
  });

  it('asks the one survey question, 1 to 5', () => {
    const out = render('closed', lang, { ticket });
    expect(out.text).toMatch(/1 \(.+\) .+ 5 \(/);
    expect(out.sms).toMatch(/1 \(.+\) .+ 5 \(/);
  });

  it('offers a ticket with number, priority, category, summary and the two answers', () => {
    const out = render('offer', lang, { ticket, summary: 'No toner on floor 3' });
    expect(out.sms).toMatch(/^HD-1042 P2 \S+ ?: No toner on floor 3\n\S+ ACCEPT 1042 \/ DECLINE 1042$/);
    const long = render('offer', lang, { ticket, summary: 'x'.repeat(400) });
    expect(long.sms).toMatch(/\.\.\.\n\S+ ACCEPT 1042 \/ DECLINE 1042$/);
    expect(smsLength(long.sms)).toBe(160);
    const again = render('offer', lang, { ticket, attempt: 2 });
    expect(again.sms).not.toBe(render('offer', lang, { ticket }).sms);
  });

  it('says what was left out and why', () => {
    const out = render('omitted-attachments', lang, plain['omitted-attachments']);
    expect(out.text).toContain('Le toner est vide.exe');
    expect(out.text).toMatch(/scan\.pdf.+30 M/);
    expect(out.text).toMatch(/10 M/);
  });

  it('writes deadlines in the desk time zone', () => {
    expect(render('sla-warning', lang, plain['sla-warning']).text).toContain('14:30');
    expect(render('sla-warning', lang, { ...plain['sla-warning'], timeZone: 'UTC' }).text).toContain('12:30');
    expect(render('breach', lang, plain.breach).sms).toContain('14:30');
  });
});

describe('language', () => {
  it('greets and words each language in its own', () => {
    expect(render('assigned', 'fr', { ticket, requesterName: 'Alice' }).text).toMatch(/^Bonjour Alice,/);
    expect(render('assigned', 'en', { ticket, requesterName: 'Alice' }).text).toMatch(/^Hello Alice,/);
    expect(render('offer', 'fr', { ticket }).sms).toContain('impression');
    expect(render('offer', 'en', { ticket }).sms).toContain('printing');
  });
});

describe('audienceOf', () => {
  it('sorts every kind by who receives it', () => {
    expect(audienceOf('created')).toBe('requester');
    expect(audienceOf('omitted-attachments')).toBe('requester');
    expect(audienceOf('offer')).toBe('technician');
    expect(audienceOf('requester-replied')).toBe('technician');
    expect(audienceOf('breach')).toBe('coordinator');
  });
});

describe('GSM-7', () => {
  it('keeps the accents GSM has and drops the ones it lacks', () => {
    expect(toGsm('é è à ù Ç É')).toBe('é è à ù Ç É');
    expect(toGsm('être prêt, ça clôturée, Œuvre « ok » – l’été…')).toBe('etre pret, ca cloturée, OEuvre " ok " - l\'été...');
    expect(toGsm('ok 👍')).toBe('ok ?');
  });

  it('counts extension characters twice', () => {
    expect(smsLength('€[]')).toBe(6);
  });

  it('clips the longest interpolated values, never the literal text or short values', () => {
    const out = sms`${'HD-1'} ${'a'.repeat(200)} then ${'b'.repeat(100)} ACCEPT ${'1'}`;
    expect(smsLength(out)).toBeLessThanOrEqual(160);
    expect(out.startsWith('HD-1 a')).toBe(true);
    expect(out.endsWith(' ACCEPT 1')).toBe(true);
    expect(out).toContain(' then ');
  });
});
