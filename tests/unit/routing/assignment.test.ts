import { describe, expect, it } from 'vitest';
import { rankCandidates, summarizeDecision, type TechnicianSnapshot, type TicketForAssignment } from '../../../src/rules/assignment.js';

const ticket: TicketForAssignment = { priority: 'P2', tier: 1, requiredSkills: ['network'] };

function tech(id: string, over: Partial<TechnicianSnapshot> = {}): TechnicianSnapshot {
  return {
    id,
    tier: 1,
    skills: ['network'],
    maxLoad: 5,
    available: true,
    onShift: true,
    openLoad: { P1: 0, P2: 0, P3: 0, P4: 0 },
    lastAssignedAt: new Date('2025-03-17T08:00:00Z'),
    ...over,
  };
}

describe('eligibility', () => {
  it.each([
    ['wrong tier', { tier: 2 as const }, 'tier 2, ticket is tier 1'],
    ['missing skill', { skills: ['printing', 'email'] }, 'lacks network'],
    ['unavailable', { available: false }, 'unavailable'],
    ['off shift', { onShift: false }, 'off shift'],
    ['at max load', { maxLoad: 3, openLoad: { P1: 0, P2: 1, P3: 1, P4: 1 } }, 'at max load 3/3'],
    ['declined', { declined: true }, 'declined this ticket'],
  ])('excludes a technician %s', (_name, over, reason) => {
    const decision = rankCandidates(ticket, [tech('x', over), tech('ok')]);
    expect(decision.chosen).toBe('ok');
    expect(decision.candidates[0]).toMatchObject({ id: 'x', eligible: false, reasons: [reason] });
    expect(decision.candidates[1]?.eligible).toBe(true);
  });

  it('lists every reason at once and chooses nobody when nobody fits', () => {
    const decision = rankCandidates(ticket, [tech('x', { tier: 3, available: false, skills: [] })]);
    expect(decision.chosen).toBeNull();
    expect(decision.decidedBy).toBeNull();
    expect(decision.candidates[0]?.reasons).toEqual(['tier 3, ticket is tier 1', 'lacks network', 'unavailable']);
  });

  it('needs every required skill, case aside', () => {
    const both = { ...ticket, requiredSkills: ['network', 'security'] };
    const decision = rankCandidates(both, [tech('one', { skills: ['network'] }), tech('two', { skills: ['Security', 'network'] })]);
    expect(decision.chosen).toBe('two');
    expect(decision.candidates[0]?.reasons).toEqual(['lacks security']);
  });

  it('accepts anyone of the tier when no skill is needed', () => {
    const decision = rankCandidates({ ...ticket, requiredSkills: [] }, [tech('a', { skills: [] })]);
    expect(decision).toMatchObject({ chosen: 'a', decidedBy: 'only candidate' });
  });
});

describe('ranking', () => {
  it('prefers the specialist over the generalist first', () => {
    const decision = rankCandidates(ticket, [
      tech('generalist', { skills: ['network', 'printing', 'email'], lastAssignedAt: null }),
      tech('specialist', { openLoad: { P1: 0, P2: 0, P3: 2, P4: 0 } }),
    ]);
    expect(decision).toMatchObject({ chosen: 'specialist', decidedBy: 'skill fit' });
    expect(decision.candidates[0]?.score.skillFit).toBeCloseTo(1 / 3, 10);
    expect(decision.candidates[1]?.score.skillFit).toBe(1);
  });

  it('then the lightest load weighted by priority, not the fewest tickets', () => {
    const decision = rankCandidates(ticket, [
      tech('one-p1', { openLoad: { P1: 1, P2: 0, P3: 0, P4: 0 } }), // weight 8
      tech('three-p4', { openLoad: { P1: 0, P2: 0, P3: 0, P4: 3 } }), // weight 3
      tech('two-p3', { openLoad: { P1: 0, P2: 0, P3: 2, P4: 0 } }), // weight 4
    ]);
    expect(decision).toMatchObject({ chosen: 'three-p4', decidedBy: 'weighted load' });
    expect(decision.candidates.map((c) => c.score.weightedLoad)).toEqual([8, 3, 4]);
  });

  it('with configurable weights', () => {
    const flat = { P1: 1, P2: 1, P3: 1, P4: 1 };
    const decision = rankCandidates(
      ticket,
      [tech('one-p1', { openLoad: { P1: 1, P2: 0, P3: 0, P4: 0 } }), tech('three-p4', { openLoad: { P1: 0, P2: 0, P3: 0, P4: 3 } })],
      flat,
    );
    expect(decision.chosen).toBe('one-p1');
  });

  it('then the one idle longest, never assigned first', () => {
    const decision = rankCandidates(ticket, [
      tech('recent', { lastAssignedAt: new Date('2025-03-17T10:00:00Z') }),
      tech('older', { lastAssignedAt: new Date('2025-03-17T07:00:00Z') }),
    ]);
    expect(decision).toMatchObject({ chosen: 'older', decidedBy: 'idle longest' });
    const withNew = rankCandidates(ticket, [
      tech('older', { lastAssignedAt: new Date('2025-03-01T00:00:00Z') }),
      tech('new', { lastAssignedAt: null }),
    ]);
    expect(withNew.chosen).toBe('new');
  });

  it('keeps the input order on a perfect tie', () => {
    expect(rankCandidates(ticket, [tech('a'), tech('b')])).toMatchObject({ chosen: 'a', decidedBy: 'tie' });
  });

  it('explains the choice in a few readable words', () => {
    const decision = rankCandidates(ticket, [
      tech('busy', { openLoad: { P1: 0, P2: 1, P3: 1, P4: 0 } }),
      tech('free', { lastAssignedAt: null }),
      tech('away', { available: false }),
    ]);
    expect(decision.candidates).toEqual([
      {
        id: 'busy',
        eligible: true,
        reasons: ['exact skills', 'load 6 (2/5 open)', 'last assigned 2025-03-17T08:00:00.000Z'],
        score: { skillFit: 1, weightedLoad: 6, idleSince: new Date('2025-03-17T08:00:00Z') },
      },
      {
        id: 'free',
        eligible: true,
        reasons: ['chosen: weighted load', 'exact skills', 'load 0 (0/5 open)', 'never assigned'],
        score: { skillFit: 1, weightedLoad: 0, idleSince: null },
      },
      {
        id: 'away',
        eligible: false,
        reasons: ['unavailable'],
        score: { skillFit: 1, weightedLoad: 0, idleSince: new Date('2025-03-17T08:00:00Z') },
      },
    ]);
    expect(JSON.parse(JSON.stringify(decision.candidates[0]?.score))).toEqual({
      skillFit: 1,
      weightedLoad: 6,
      idleSince: '2025-03-17T08:00:00.000Z',
    });
  });

  it('summarises a thousand technicians to the best few and counts of exclusions', () => {
    const techs = Array.from({ length: 1000 }, (_, i) =>
      tech(`t${i}`, {
        tier: ((i % 3) + 1) as 1 | 2 | 3,
        onShift: i % 5 !== 0,
        openLoad: { P1: 0, P2: i % 4, P3: 0, P4: 0 },
        lastAssignedAt: new Date(Date.UTC(2025, 2, 17, 0, 0, i)),
      }),
    );
    const decision = rankCandidates(ticket, techs);
    const summary = summarizeDecision(decision, 3);
    // Tier 1 is every third; no load where i % 12 === 0; t0 is off shift; ties go to the longest idle.
    expect(summary.chosen).toBe('t12');
    expect(summary.top.map((c) => c.id)).toEqual(['t12', 't24', 't36']);
    expect(summary.excluded).toEqual({ tier: 666, 'off shift': 200 });
    expect(summary.eligible).toBe(1000 - 666 - 67);
  });

  it('decides among 1,000 technicians in well under a millisecond on average', () => {
    const techs = Array.from({ length: 1000 }, (_, i) =>
      tech(`t${i}`, {
        tier: ((i % 3) + 1) as 1 | 2 | 3,
        skills: ['network', 'printing', 'email', 'hardware'].slice(0, (i % 4) + 1),
        available: i % 7 !== 0,
        openLoad: { P1: i % 2, P2: i % 3, P3: i % 4, P4: i % 5 },
        maxLoad: 12,
      }),
    );
    for (let i = 0; i < 50; i++) rankCandidates(ticket, techs);
    const runs = 200;
    const started = performance.now();
    for (let i = 0; i < runs; i++) rankCandidates(ticket, techs);
    expect((performance.now() - started) / runs).toBeLessThan(1);
  });
});
