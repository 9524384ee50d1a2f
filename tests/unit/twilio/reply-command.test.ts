import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../../src/domain/values.js';
import { fitsOneSms, isGsm7 } from '../../../src/intake/twilio/sms-text.js';
import { parseTechnicianCommand } from '../../../src/intake/twilio/technician-commands.js';
import { helpText, replies } from '../../../src/intake/twilio/technician-replies.js';

/** Issue 13: REPLY <n> <text>, parsed like NOTE. */

describe('REPLY', () => {
  it.each([
    ['REPLY 1042 I come at 2pm', { kind: 'reply', ticketNumber: '1042', text: 'I come at 2pm' }],
    ['reply HD-1042: line one\nline two', { kind: 'reply', ticketNumber: '1042', text: 'line one\nline two' }],
    ['REPLY I come at 2pm', { kind: 'reply', ticketNumber: null, text: 'I come at 2pm' }],
    ['répondre 1042 je passe à 14h', { kind: 'reply', ticketNumber: '1042', text: 'je passe à 14h' }],
  ])('%j', (body, expected) => {
    expect(parseTechnicianCommand(body, 'en')).toEqual(expected);
  });

  it('says how to write it when the text is missing, in one SMS', () => {
    for (const lang of LANGUAGES) {
      for (const body of ['REPLY', 'REPLY 1042']) {
        const parsed = parseTechnicianCommand(body, lang);
        expect(parsed.kind).toBe('invalid');
        if (parsed.kind !== 'invalid') continue;
        expect(parsed.reply).toContain('REPLY <n> <');
        expect(fitsOneSms(parsed.reply) && isGsm7(parsed.reply)).toBe(true);
      }
    }
  });

  it('is in HELP and its confirmation fits one SMS, in both languages', () => {
    for (const lang of LANGUAGES) {
      expect(helpText(lang)).toContain('REPLY');
      for (const text of [helpText(lang), replies(lang).replied('123456')]) expect(fitsOneSms(text) && isGsm7(text), text).toBe(true);
    }
  });
});
