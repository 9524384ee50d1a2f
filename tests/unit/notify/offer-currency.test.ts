import { describe, expect, it } from 'vitest';
import { offerCurrency, type OfferFacts } from '../../../src/notify/offer-currency.js';

/** Issue 11, item 8: an offer text goes out only while its offer stands, and once. */

const ADA = 'tech-ada';
const BOB = 'tech-bob';
const OFFERED_AT = Date.parse('2026-03-02T09:00:00Z');

function offer(overrides: Partial<OfferFacts> = {}): OfferFacts {
  return {
    kind: 'technician.offer',
    writtenAt: new Date(OFFERED_AT),
    cause: { id: '10', type: 'assigned', technicianId: ADA, offeredAt: null },
    ticket: { status: 'assigned', assigneeId: ADA, offeredAt: OFFERED_AT },
    latestOfferId: '10',
    movedBy: null,
    offerSentAt: null,
    offerOwed: false,
    ...overrides,
  };
}

function reminder(overrides: Partial<OfferFacts> = {}): OfferFacts {
  return offer({
    kind: 'technician.offer-reminder',
    writtenAt: new Date(OFFERED_AT + 5 * 60_000),
    cause: { id: '12', type: 'offer_reminder', technicianId: ADA, offeredAt: OFFERED_AT },
    offerSentAt: new Date(OFFERED_AT + 1_000),
    ...overrides,
  });
}

const codeOf = (facts: OfferFacts) => {
  const c = offerCurrency(facts);
  return c.current ? 'current' : c.code;
};

describe('offerCurrency', () => {
  it('sends the offer that stands', () => {
    expect(codeOf(offer())).toBe('current');
  });

  it('sets aside an offer that was declined, timed out or accepted, and says so', () => {
    expect(codeOf(offer({ ticket: { status: 'new', assigneeId: null, offeredAt: null }, movedBy: 'declined' }))).toBe('OFFER_DECLINED');
    expect(codeOf(offer({ ticket: { status: 'new', assigneeId: null, offeredAt: null }, movedBy: 'offer_expired' }))).toBe('OFFER_EXPIRED');
    expect(codeOf(offer({ ticket: { status: 'in_progress', assigneeId: ADA, offeredAt: OFFERED_AT }, movedBy: 'accepted' }))).toBe(
      'OFFER_ACCEPTED',
    );
    expect(codeOf(offer({ ticket: { status: 'in_progress', assigneeId: ADA, offeredAt: OFFERED_AT }, movedBy: 'status_changed' }))).toBe(
      'OFFER_ACCEPTED',
    );
    expect(codeOf(offer({ ticket: { status: 'new', assigneeId: null, offeredAt: null }, movedBy: 'escalated' }))).toBe('OFFER_WITHDRAWN');
  });

  it('sets aside an offer of a ticket since given to someone else', () => {
    const c = offerCurrency(
      offer({ ticket: { status: 'assigned', assigneeId: BOB, offeredAt: OFFERED_AT + 1 }, latestOfferId: '11', movedBy: 'assigned' }),
    );
    expect(c).toMatchObject({ current: false, code: 'REASSIGNED' });
    expect(c.current ? '' : c.reason).toMatch(/offered anew/);
  });

  it('sends only the newest of two offers of one ticket to the same technician', () => {
    const older = offer({ latestOfferId: '14' });
    const newer = offer({ cause: { id: '14', type: 'assigned', technicianId: ADA, offeredAt: null }, latestOfferId: '14' });
    expect(codeOf(older)).toBe('REOFFERED');
    expect(codeOf(newer)).toBe('current');
  });

  it('judges a renewed offer as any other', () => {
    expect(codeOf(offer({ cause: { id: '10', type: 'offer_renewed', technicianId: ADA, offeredAt: null } }))).toBe('current');
  });

  it('reminds of the offer that stands, unless its text went out after the reminder was due', () => {
    expect(codeOf(reminder())).toBe('current');
    expect(codeOf(reminder({ offerSentAt: null }))).toBe('current');
    expect(codeOf(reminder({ offerSentAt: new Date(OFFERED_AT + 6 * 60_000) }))).toBe('OFFER_SENT_LATE');
    // Both held back (an SMS outage): the reminder would arrive before, or just after, the offer.
    expect(codeOf(reminder({ offerSentAt: null, offerOwed: true }))).toBe('OFFER_NOT_SENT_YET');
    expect(
      codeOf(
        reminder({
          ticket: { status: 'assigned', assigneeId: ADA, offeredAt: OFFERED_AT + 60_000 },
          latestOfferId: '13',
          movedBy: 'offer_renewed',
        }),
      ),
    ).toBe('REASSIGNED');
    expect(codeOf(reminder({ ticket: { status: 'new', assigneeId: null, offeredAt: null }, movedBy: 'offer_expired' }))).toBe(
      'OFFER_EXPIRED',
    );
  });

  it('leaves other notifications, and rows it cannot judge, alone', () => {
    expect(codeOf(offer({ kind: 'technician.sla-warning', ticket: { status: 'new', assigneeId: null, offeredAt: null } }))).toBe('current');
    expect(codeOf(offer({ cause: null, ticket: { status: 'new', assigneeId: null, offeredAt: null } }))).toBe('current');
  });
});
