import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../../src/domain/values.js';
import {
  addedToTicketSms,
  extractMedia,
  isHandledByTwilio,
  ticketNumberSms,
  twilioKeyword,
} from '../../../src/intake/twilio/requester-sms.js';
import { fitSms, fitsOneSms, gsm7Length, isGsm7, toGsm7 } from '../../../src/intake/twilio/sms-text.js';

describe('extractMedia', () => {
  it('keeps each MMS media as a link with its type', () => {
    const body = {
      MessageSid: 'MM1',
      NumMedia: '2',
      MediaUrl0: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME0',
      MediaContentType0: 'image/jpeg',
      MediaUrl1: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1',
      MediaContentType1: 'application/pdf',
    };
    expect(extractMedia(body)).toEqual([
      { url: body.MediaUrl0, contentType: 'image/jpeg' },
      { url: body.MediaUrl1, contentType: 'application/pdf' },
    ]);
  });

  it('finds nothing in a plain SMS and ignores malformed entries', () => {
    expect(extractMedia({ NumMedia: '0', Body: 'hi' })).toEqual([]);
    expect(extractMedia({ Body: 'hi' })).toEqual([]);
    expect(extractMedia({ NumMedia: 'lots' })).toEqual([]);
    expect(extractMedia({ NumMedia: '2', MediaUrl0: 'javascript:alert(1)', MediaUrl1: 'https://x.example/m' })).toEqual([
      { url: 'https://x.example/m', contentType: null },
    ]);
  });

  it('never reads past ten media', () => {
    const body: Record<string, string> = { NumMedia: '500' };
    for (let i = 0; i < 20; i += 1) body[`MediaUrl${i}`] = `https://x.example/${i}`;
    expect(extractMedia(body)).toHaveLength(10);
  });
});

describe('Twilio keywords', () => {
  it.each([
    ['STOP', 'opt-out'],
    ['stop', 'opt-out'],
    [' Stop. ', 'opt-out'],
    ['UNSUBSCRIBE', 'opt-out'],
    ['STOPALL', 'opt-out'],
    ['cancel', 'opt-out'],
    ['END', 'opt-out'],
    ['QUIT', 'opt-out'],
    ['START', 'opt-in'],
    ['unstop', 'opt-in'],
    ['YES', 'opt-in'],
    ['HELP', 'help'],
    ['info', 'help'],
  ])('%j is left to Twilio as %s', (text, kind) => {
    expect(twilioKeyword(text)).toBe(kind);
    expect(isHandledByTwilio(text)).toBe(true);
  });

  it.each(['stop working please', 'my printer says STOP', 'help me with outlook', 'yes it still fails', ''])(
    '%j is a real message',
    (text) => {
      expect(isHandledByTwilio(text)).toBe(false);
    },
  );

  it('trusts the OptOutType Twilio adds for custom keywords', () => {
    expect(twilioKeyword('ARRET', 'STOP')).toBe('opt-out');
  });
});

describe('texts to requesters', () => {
  it('fit one segment', () => {
    for (const lang of LANGUAGES) {
      for (const text of [ticketNumberSms(lang, '123456789'), addedToTicketSms(lang, '123456789')]) {
        expect(isGsm7(text), text).toBe(true);
        expect(fitsOneSms(text), text).toBe(true);
      }
    }
    expect(ticketNumberSms('en', '1042')).toContain('HD-1042');
  });
});

describe('SMS length', () => {
  it('counts GSM-7 characters, extended ones twice', () => {
    expect(gsm7Length('abc')).toBe(3);
    expect(gsm7Length('€')).toBe(2);
    expect(gsm7Length('fenêtre')).toBeNull();
  });

  it('falls back to 70 characters for UCS-2 text', () => {
    expect(fitsOneSms('ê'.repeat(70))).toBe(true);
    expect(fitsOneSms('ê'.repeat(71))).toBe(false);
    expect(fitsOneSms('e'.repeat(160))).toBe(true);
    expect(fitsOneSms('e'.repeat(161))).toBe(false);
  });

  it('brings text into GSM-7 and cuts it to length', () => {
    expect(toGsm7('L’être – ça «va» …')).toBe('L\'etre - ca "va" ...');
    const cut = fitSms('mot '.repeat(60), 40);
    expect(cut.length).toBeLessThanOrEqual(40);
    expect(cut.endsWith('...')).toBe(true);
    expect(fitSms('court')).toBe('court');
  });
});
