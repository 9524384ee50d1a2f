import { describe, expect, it } from 'vitest';
import { composeMessage } from '../../../src/notify/compose.js';

/** #16: the end of an outage and a storm alert, rendered from the outbox row's payload alone. */

const noFacts = { ticket: null, cause: null };

describe('messages of outages and storms', () => {
  it('tells a requester which outage is over, about their ticket, in their language', () => {
    const row = {
      kind: 'requester.outage-ended',
      language: 'en' as const,
      payload: {
        number: 1042,
        subject: 'VPN down',
        requesterName: 'Kim',
        outage: { title: 'Remote access outage', message: 'Fixed at 11:00' },
      },
    };
    const out = composeMessage(row, noFacts, 'Europe/Paris');
    expect(out.subject).toBe('[HD-1042] Incident over: Remote access outage');
    expect(out.text).toContain('Hello Kim,');
    expect(out.text).toContain('Fixed at 11:00');
    expect(out.sms).toContain('HD-1042');
    const fr = composeMessage({ ...row, language: 'fr' }, noFacts, 'Europe/Paris');
    expect(fr.subject).toBe('[HD-1042] Incident terminé : Remote access outage');
  });

  it('names every ticket of a storm and where to act, dropping entries without a number', () => {
    const row = {
      kind: 'coordinator.storm',
      language: 'en' as const,
      payload: {
        number: 7,
        subject: 'VPN down',
        tickets: [{ number: 7, subject: 'VPN down' }, { number: 9, subject: 'no VPN' }, { subject: 'no number' }, 'junk'],
        link: 'https://desk.example.org/outages#suggestions',
      },
    };
    const out = composeMessage(row, noFacts, 'Europe/Paris');
    expect(out.subject).toBe('[HD-7] Storm: 2 similar requests, VPN down');
    expect(out.text).toContain('HD-9 no VPN');
    expect(out.text).not.toContain('no number');
    expect(out.text).toContain('https://desk.example.org/outages#suggestions');
    expect(out.sms).toContain('HD-7 HD-9');
  });
});
