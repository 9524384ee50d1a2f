import { describe, expect, it } from 'vitest';
import { byPriorityThenAge, escalate, raisePriority } from '../../../src/tickets/escalation.js';

describe('escalate', () => {
  it('raises tier and priority by one', () => {
    expect(escalate({ tier: 1, priority: 'P2' })).toEqual({
      tier: 2,
      priority: 'P1',
      tierChanged: true,
      priorityChanged: true,
      changed: true,
    });
    expect(escalate({ tier: 2, priority: 'P4' })).toMatchObject({ tier: 3, priority: 'P3', changed: true });
  });

  it('caps at tier 3 and P1', () => {
    expect(escalate({ tier: 3, priority: 'P3' })).toMatchObject({ tier: 3, priority: 'P2', tierChanged: false, priorityChanged: true });
    expect(escalate({ tier: 2, priority: 'P1' })).toMatchObject({ tier: 3, priority: 'P1', tierChanged: true, priorityChanged: false });
    expect(escalate({ tier: 3, priority: 'P1' })).toEqual({
      tier: 3,
      priority: 'P1',
      tierChanged: false,
      priorityChanged: false,
      changed: false,
    });
    expect(raisePriority('P1')).toBe('P1');
  });
});

describe('byPriorityThenAge', () => {
  it('orders waiting tickets by priority, then oldest first, then number', () => {
    const queue = [
      { number: 1, priority: 'P3' as const, createdAt: new Date('2025-03-17T08:00:00Z') },
      { number: 2, priority: 'P1' as const, createdAt: new Date('2025-03-17T10:00:00Z') },
      { number: 3, priority: 'P3' as const, createdAt: new Date('2025-03-17T07:00:00Z') },
      { number: 5, priority: 'P2' as const, createdAt: new Date('2025-03-17T09:00:00Z') },
      { number: 4, priority: 'P2' as const, createdAt: new Date('2025-03-17T09:00:00Z') },
    ];
    expect([...queue].sort(byPriorityThenAge).map((t) => t.number)).toEqual([2, 4, 5, 3, 1]);
  });
});
