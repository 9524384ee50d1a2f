import { describe, expect, it } from 'vitest';
import { maskedOfferLink, revealOfferLink } from '../../../src/notify/offer-link.js';
import { render, smsLength } from '../../../src/notify/templates/index.js';
import { offerEventOfCode, offerLinkCode } from '../../../src/store/offer-link-repository.js';

const links = { publicUrl: 'https://helpdesk.example.org/', secret: 'twilio-auth-token-0123456789' };
const row = { kind: 'technician.offer', channel: 'sms', payload: { causeId: '4242' } };
const ticket = { number: 1042, subject: 'Printer', priority: 'P2' as const, category: 'printing' };

describe('the offer link code', () => {
  it('is 28 characters of base64url that give back their offer, and only with the secret that made them', () => {
    const code = offerLinkCode(links.secret, '4242');
    expect(code).toMatch(/^[A-Za-z0-9_-]{28}$/);
    expect(offerEventOfCode(links.secret, code ?? '')).toBe('4242');
    expect(offerEventOfCode('another-secret-0123456789', code ?? '')).toBeNull();
    expect(offerLinkCode(links.secret, '4243')).not.toBe(code);
    // One character changed, one too many, garbage: nothing.
    const tampered = `${code?.slice(0, 27)}${code?.endsWith('A') ? 'B' : 'A'}`;
    expect(offerEventOfCode(links.secret, tampered)).toBeNull();
    expect(offerEventOfCode(links.secret, `${code}A`)).toBeNull();
    expect(offerEventOfCode(links.secret, '../../etc/passwd')).toBeNull();
  });

  it('is masked in the stored text and revealed only in what goes to Twilio', () => {
    const masked = maskedOfferLink(links, row, 'assigned');
    expect(masked).toBe(`https://helpdesk.example.org/o/${'*'.repeat(28)}`);
    expect(maskedOfferLink(links, row, 'offer_reminder')).toBeUndefined();
    expect(maskedOfferLink(links, { ...row, channel: 'email' }, 'assigned')).toBeUndefined();
    expect(maskedOfferLink(undefined, row, 'assigned')).toBeUndefined();
    const body = render('offer', 'en', { ticket, summary: 'No toner', link: masked }).sms;
    const sent = revealOfferLink(links, row, body);
    expect(sent).toBe(body.replace('*'.repeat(28), offerLinkCode(links.secret, '4242') ?? ''));
    expect(sent.match(/\/o\//g)).toHaveLength(1);
  });
});

describe('the offer SMS with its link', () => {
  it('keeps the link whole on its own line and stays one segment, the summary giving way', () => {
    for (const lang of ['en', 'fr'] as const) {
      const link = maskedOfferLink(links, row, 'assigned') ?? '';
      const out = render('offer', lang, { ticket, summary: 'x'.repeat(400), link }).sms;
      expect(out.endsWith(`\n${link}`)).toBe(true);
      expect(out).toContain('ACCEPT 1042 / DECLINE 1042\n');
      expect(smsLength(out)).toBeLessThanOrEqual(160);
      expect(render('offer', lang, { ticket, summary: 'No toner', link }).sms).toContain('No toner');
    }
  });
});
