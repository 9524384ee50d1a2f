import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../../src/domain/values.js';
import { fitsOneSms, isGsm7 } from '../../../src/intake/twilio/sms-text.js';
import { parseTechnicianCommand } from '../../../src/intake/twilio/technician-commands.js';
import { formatTicketList, helpText, replies } from '../../../src/intake/twilio/technician-replies.js';

describe('parseTechnicianCommand', () => {
  it.each([
    ['ACCEPT 1042', { kind: 'accept', ticketNumber: '1042' }],
    ['accept 1042', { kind: 'accept', ticketNumber: '1042' }],
    ['OK 1042', { kind: 'accept', ticketNumber: '1042' }],
    ['ok #1042', { kind: 'accept', ticketNumber: '1042' }],
    ['Ok HD-1042', { kind: 'accept', ticketNumber: '1042' }],
    ['  ACCEPT    hd1042  ', { kind: 'accept', ticketNumber: '1042' }],
    ['ACCEPT', { kind: 'accept', ticketNumber: null }],
    ['ok.', { kind: 'accept', ticketNumber: null }],
    ['DECLINE 1042', { kind: 'decline', ticketNumber: '1042' }],
    ['decline', { kind: 'decline', ticketNumber: null }],
    ['NOTE 1042 toner ordered', { kind: 'note', ticketNumber: '1042', text: 'toner ordered' }],
    ['note #1042   waiting for the part', { kind: 'note', ticketNumber: '1042', text: 'waiting for the part' }],
    ['NOTE waiting for the part', { kind: 'note', ticketNumber: null, text: 'waiting for the part' }],
    ['NOTE 1042 line one\nline two', { kind: 'note', ticketNumber: '1042', text: 'line one\nline two' }],
    ['DONE 1042 replaced the cable', { kind: 'done', ticketNumber: '1042', resolution: 'replaced the cable' }],
    ['done HD-1042: rebooted the switch', { kind: 'done', ticketNumber: '1042', resolution: 'rebooted the switch' }],
    ['Done rebooted the switch', { kind: 'done', ticketNumber: null, resolution: 'rebooted the switch' }],
    ['ESC 1042 needs a network admin', { kind: 'escalate', ticketNumber: '1042', reason: 'needs a network admin' }],
    ['esc n°1042 droits admin requis', { kind: 'escalate', ticketNumber: '1042', reason: 'droits admin requis' }],
    ['ACCEPT 0042', { kind: 'accept', ticketNumber: '42' }],
    ['LIST', { kind: 'list' }],
    ['list please', { kind: 'list' }],
    ['HELP', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['aide', { kind: 'help' }],
  ])('%j', (body, expected) => {
    expect(parseTechnicianCommand(body, 'en')).toEqual(expected);
  });

  it.each([
    ['DONE 1042', 'DONE <n> <resolution>'],
    ['DONE', 'DONE <n> <resolution>'],
    ['NOTE 1042', 'NOTE <n> <text>'],
    ['ESC 1042', 'ESC <n> <reason>'],
    ['ACCEPT tomorrow', 'ACCEPT <n>'],
    ['DECLINE ticket1042', 'DECLINE <n>'],
  ])('refuses %j with the right form', (body, form) => {
    const parsed = parseTechnicianCommand(body, 'en');
    expect(parsed.kind).toBe('invalid');
    if (parsed.kind === 'invalid') expect(parsed.reply).toContain(form);
  });

  it('answers an unknown command or an empty text with the list of commands', () => {
    for (const body of ['', '   ', 'hello there', 'CLOSE 1042']) {
      const parsed = parseTechnicianCommand(body, 'en');
      expect(parsed.kind).toBe('invalid');
      if (parsed.kind === 'invalid') expect(parsed.reply).toContain('HELP');
    }
  });

  it('replies in French to a French-speaking technician', () => {
    const parsed = parseTechnicianCommand('DONE 1042', 'fr');
    expect(parsed).toMatchObject({ kind: 'invalid', reply: expect.stringContaining('DONE <n> <résolution>') });
  });

  it('keeps every error reply to one SMS', () => {
    for (const lang of LANGUAGES) {
      for (const body of ['DONE', 'NOTE', 'ESC', 'ACCEPT x', 'DECLINE y', 'what']) {
        const parsed = parseTechnicianCommand(body, lang);
        if (parsed.kind !== 'invalid') throw new Error(`expected invalid for ${body}`);
        expect(fitsOneSms(parsed.reply), parsed.reply).toBe(true);
        expect(isGsm7(parsed.reply), parsed.reply).toBe(true);
      }
    }
  });
});

describe('technician replies', () => {
  it('fit one GSM-7 segment in both languages', () => {
    for (const lang of LANGUAGES) {
      const r = replies(lang);
      const texts = [
        helpText(lang),
        r.accepted('123456'),
        r.declined('123456'),
        r.noted('123456'),
        r.resolved('123456'),
        r.escalated('123456', 3),
        r.notYours('123456'),
        r.refused('123456'),
        r.whichTicket(['1042', '1043', '1044']),
        r.noneWaiting,
        r.noOpenTickets,
      ];
      for (const text of texts) {
        expect(isGsm7(text), text).toBe(true);
        expect(fitsOneSms(text), text).toBe(true);
      }
    }
  });

  it('lists every command in HELP', () => {
    for (const lang of LANGUAGES) {
      for (const word of ['ACCEPT', 'DECLINE', 'NOTE', 'DONE', 'ESC', 'LIST']) expect(helpText(lang)).toContain(word);
    }
  });

  it('says nothing about a ticket that is not the sender’s', () => {
    expect(replies('en').notYours('1042')).toBe('No ticket 1042 among yours. Send LIST to see them.');
  });

  it('formats a long list into one SMS and counts what did not fit', () => {
    const tickets = Array.from({ length: 9 }, (_, i) => ({
      number: String(1042 + i),
      priority: 'P2' as const,
      status: 'in_progress' as const,
      subject: 'L’imprimante du deuxième étage est bloquée depuis ce matin — urgent',
    }));
    const text = formatTicketList('fr', tickets);
    expect(isGsm7(text)).toBe(true);
    expect(fitsOneSms(text)).toBe(true);
    expect(text).toMatch(/^Vos tickets ouverts \(9\) :\n1042 P2 en cours: /);
    expect(text).toMatch(/\n\+\d+ autres$/);
  });

  it('formats a short list in full', () => {
    const text = formatTicketList('en', [{ number: '7', priority: 'P1', status: 'assigned', subject: 'VPN down' }]);
    expect(text).toBe('Your open tickets (1):\n7 P1 assigned: VPN down');
    expect(formatTicketList('en', [])).toBe('You have no open tickets.');
  });
});
