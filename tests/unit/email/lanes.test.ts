import { describe, expect, it } from 'vitest';
import { conversationGroups, conversationKeys, spreadOnLanes } from '../../../src/intake/email/lanes.js';

/** The batch on lanes as the intake spreads it: its conversations, each whole on one lane. */
const laneGroups = <T extends { uid: number; raw: Buffer }>(emails: readonly T[], lanes: number) =>
  spreadOnLanes(conversationGroups(emails), lanes);
import { planBatches } from '../../../src/intake/email/mailbox-fetch.js';

function email(uid: number, headers: Record<string, string>) {
  const text = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  return { uid, raw: Buffer.from(`${text}\r\n\r\nbody`) };
}

const lanesOf = (lanes: { uid: number }[][]) => lanes.map((lane) => lane.map((e) => e.uid));

describe('laneGroups', () => {
  it('keeps one sender’s emails on one lane, in UID order', () => {
    const emails = [
      email(1, { From: 'Ann <ann@x.example>', 'Message-ID': '<1@x>' }),
      email(2, { From: 'bob@x.example', 'Message-ID': '<2@x>' }),
      email(3, { From: 'ANN@x.example', 'Message-ID': '<3@x>' }),
      email(4, { From: 'cy@x.example', 'Message-ID': '<4@x>' }),
    ];
    const lanes = lanesOf(laneGroups(emails, 4));
    expect(lanes).toContainEqual([1, 3]);
    expect(lanes).toHaveLength(3);
  });

  it('keeps a reply with the email it references, whoever sends it, and emails naming one ticket together', () => {
    const emails = [
      email(1, { From: 'ann@x.example', 'Message-ID': '<req@x>' }),
      email(2, { From: 'boss@x.example', 'Message-ID': '<r@x>', References: '<old@x> <req@x>' }),
      email(3, { From: 'cy@x.example', Subject: 'Re: [HD-1042] printer' }),
      email(4, { From: 'dan@x.example', Subject: '[HD-1042] me too' }),
      email(5, { From: 'eve@x.example' }),
    ];
    expect(lanesOf(laneGroups(emails, 8)).sort((a, b) => a[0]! - b[0]!)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('links through Reply-To, and chains of links', () => {
    const emails = [
      email(1, { From: 'forms@intranet.example', 'Reply-To': 'luc@x.example' }),
      email(2, { From: 'luc@x.example', 'Message-ID': '<2@x>' }),
      email(3, { From: 'other@x.example', 'In-Reply-To': '<2@x>' }),
    ];
    expect(lanesOf(laneGroups(emails, 4))).toEqual([[1, 2, 3]]);
  });

  it('spreads unrelated emails over at most `lanes` lanes, an unreadable one alone', () => {
    const emails = Array.from({ length: 10 }, (_, i) => email(i + 1, { From: `u${i}@x.example` }));
    emails.push({ uid: 11, raw: Buffer.from('garbage without headers') });
    const lanes = laneGroups(emails, 3);
    expect(lanes).toHaveLength(3);
    expect(
      lanes
        .flat()
        .map((e) => e.uid)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    for (const lane of lanes) expect(lane.map((e) => e.uid)).toEqual([...lane.map((e) => e.uid)].sort((a, b) => a - b));
  });

  it('one lane when asked for one', () => {
    const emails = [email(2, { From: 'a@x.example' }), email(1, { From: 'b@x.example' })];
    expect(lanesOf(laneGroups(emails, 1))).toEqual([[1, 2]]);
  });
});

describe('conversationKeys', () => {
  it('reads folded headers', () => {
    const raw = Buffer.from('From: A\r\n <a@x.example>\r\nReferences: <1@x>\r\n <2@x>\r\n\r\nFrom: body@x.example\r\n');
    expect(conversationKeys(raw)).toEqual(['a:a@x.example', 'm:1@x', 'm:2@x']);
  });
});

describe('planBatches', () => {
  const settings = { batch: { messages: 3, bytes: 1_000 }, maxRawBytes: 5_000 };
  it('bounds batches by count and bytes, and sets a too-large email apart', () => {
    const batches = planBatches(
      [
        { uid: 1, size: 100 },
        { uid: 2, size: 100 },
        { uid: 3, size: 100 },
        { uid: 4, size: 100 },
        { uid: 5, size: 950 },
        { uid: 6, size: 9_000 },
        { uid: 7, size: 100 },
      ],
      settings,
    );
    expect(batches.map((b) => (b.kind === 'whole' ? b.emails.map((e) => e.uid) : `big ${b.email.uid}`))).toEqual([
      [1, 2, 3],
      [4],
      [5],
      'big 6',
      [7],
    ]);
  });
});
