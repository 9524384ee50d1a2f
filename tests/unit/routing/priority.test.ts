import { describe, expect, it } from 'vitest';
import { assessTicket, cellFor, DEFAULT_PRIORITY_MATRIX, priorityOf, type PriorityMatrix } from '../../../src/rules/priority.js';
import { RULE_TEXT_CHARS } from '../../../src/rules/text.js';

describe('priority matrix', () => {
  it('maps the corners as the contract says', () => {
    expect(priorityOf('high', 'high')).toBe('P1');
    expect(priorityOf('low', 'low')).toBe('P4');
    expect(priorityOf('high', 'medium')).toBe('P2');
    expect(priorityOf('medium', 'high')).toBe('P2');
    expect(priorityOf('medium', 'medium')).toBe('P3');
    expect(priorityOf('low', 'high')).toBe('P3');
    expect(priorityOf('medium', 'low')).toBe('P4');
  });

  it('reads an edited matrix', () => {
    const matrix: PriorityMatrix = { ...DEFAULT_PRIORITY_MATRIX, low: { high: 'P2', medium: 'P3', low: 'P3' } };
    expect(priorityOf('low', 'low', matrix)).toBe('P3');
    expect(assessTicket({ explicit: { impact: 'low', urgency: 'high' } }, { matrix }).priority).toBe('P2');
  });

  it('finds the diagonal cell for a mailbox priority', () => {
    expect(cellFor('P1')).toEqual({ impact: 'high', urgency: 'high' });
    expect(cellFor('P2')).toEqual({ impact: 'medium', urgency: 'high' });
    expect(cellFor('P4')).toEqual({ impact: 'low', urgency: 'low' });
  });
});

describe('assessTicket', () => {
  it('defaults to medium × medium = P3 when nothing is said', () => {
    const a = assessTicket({ subject: 'Question', description: 'Comment changer mon fond d’écran ?' });
    expect(a).toMatchObject({ impact: 'medium', urgency: 'medium', priority: 'P3' });
    expect(a.reasons).toEqual(['P3 from impact medium × urgency medium']);
  });

  it('lets explicit values win over every hint', () => {
    const a = assessTicket({
      explicit: { impact: 'low', urgency: 'low' },
      ivrUrgent: true,
      vip: true,
      subject: 'URGENT tout le service en panne',
    });
    expect(a).toMatchObject({ impact: 'low', urgency: 'low', priority: 'P4' });
    expect(a.reasons).toContain('urgency low: set by a person');
    expect(a.reasons).toContain('impact low: set by a person');
  });

  it('raises urgency on the IVR urgent option', () => {
    const a = assessTicket({ ivrUrgent: true });
    expect(a).toMatchObject({ impact: 'medium', urgency: 'high', priority: 'P2' });
    expect(a.reasons).toContain('urgency high: IVR urgent option');
  });

  it('reads X-Priority and Importance headers both ways', () => {
    expect(assessTicket({ headers: { xPriority: '1 (Highest)' } }).urgency).toBe('high');
    expect(assessTicket({ headers: { xPriority: '2' } }).reasons).toContain('urgency high: X-Priority 2');
    expect(assessTicket({ headers: { xPriority: '5 (Lowest)' } })).toMatchObject({ urgency: 'low', priority: 'P4' });
    expect(assessTicket({ headers: { importance: 'High' } }).urgency).toBe('high');
    expect(assessTicket({ headers: { importance: 'low' } }).urgency).toBe('low');
    expect(assessTicket({ headers: { xPriority: '3 (Normal)' } }).urgency).toBe('medium');
  });

  it('takes the mailbox default and lets a header not lower it', () => {
    const a = assessTicket({ mailbox: { urgency: 'high' }, headers: { xPriority: '5' } });
    expect(a).toMatchObject({ urgency: 'high', priority: 'P2' });
    expect(assessTicket({ mailbox: { priority: 'P1' } })).toMatchObject({ impact: 'high', urgency: 'high', priority: 'P1' });
  });

  it('finds French keywords without accents or case mattering', () => {
    const a = assessTicket({ subject: 'PANNE imprimante', description: 'Je suis BLOQUÉE depuis ce matin' });
    expect(a).toMatchObject({ impact: 'medium', urgency: 'high', priority: 'P2' });
    expect(a.reasons[0]).toBe('urgency high: keywords "bloquee", "panne"');

    const b = assessTicket({ subject: 'Réseau', description: 'Personne ne peut se connecter, tout le service est arrêté' });
    expect(b.impact).toBe('high');
    expect(b.urgency).toBe('medium');
    expect(b.priority).toBe('P2');
  });

  it('finds English keywords, keeping impact words apart from urgency words', () => {
    const a = assessTicket({ subject: 'VPN down', description: "The whole team can't work" });
    expect(a).toMatchObject({ impact: 'high', urgency: 'high', priority: 'P1' });
    expect(a.reasons).toContain('impact high: keyword "whole team"');

    const b = assessTicket({ subject: 'Everyone sees a new logo', description: 'just curious' });
    expect(b).toMatchObject({ impact: 'high', urgency: 'medium', priority: 'P2' });
  });

  it('does not see a keyword inside another word', () => {
    expect(assessTicket({ subject: 'Download folder is full' }).urgency).toBe('medium');
  });

  it('reads "pas urgent" as low urgency, not as "urgent"', () => {
    const a = assessTicket({ subject: 'Pas urgent', description: 'changer la souris quand vous pourrez' });
    expect(a).toMatchObject({ urgency: 'low', priority: 'P4' });
    expect(assessTicket({ subject: 'not urgent: new keyboard' }).urgency).toBe('low');
  });

  it('raises urgency by one for a VIP requester', () => {
    const a = assessTicket({ vip: true });
    expect(a).toMatchObject({ urgency: 'high', priority: 'P2' });
    expect(a.reasons).toContain('urgency high: VIP requester');
    expect(assessTicket({ vip: true, headers: { xPriority: '5' } }).urgency).toBe('medium');
    expect(assessTicket({ vip: true, ivrUrgent: true }).urgency).toBe('high');
  });
});

describe('assessTicket on long text (issue #11 item 12)', () => {
  it(`reads the subject and the first ${RULE_TEXT_CHARS} characters of the text`, () => {
    const filler = 'bla '.repeat(RULE_TEXT_CHARS / 4 + 1);
    expect(assessTicket({ subject: 'Printer', description: `urgent ${filler}` }).urgency).toBe('high');
    expect(assessTicket({ subject: 'Printer', description: `${filler} urgent` }).urgency).toBe('medium');
  });

  it('takes 1 MB of one repeated character in milliseconds', () => {
    const started = performance.now();
    assessTicket({ subject: 'x', description: 'é'.repeat(1024 * 1024) });
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
