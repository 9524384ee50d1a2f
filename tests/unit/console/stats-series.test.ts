import { describe, expect, it } from 'vitest';
import { bucketOf, deskDays, pointsOf } from '../../../src/console/pages/stats/series.js';
import { addSums, emptySums, type StatsSums } from '../../../src/store/stats-series.js';

const sums = (opened: number, respondSeconds: number): StatsSums =>
  addSums(emptySums(), { ...emptySums(), byChannel: { email: opened }, responded: opened, respondSeconds });

describe("the statistics page's days and weeks", () => {
  it('cuts a period into the desk’s days, a day of a change of clocks being 23 hours long', () => {
    // Paris went to summer time on Sunday 29 March 2026 at 02:00.
    const days = deskDays(new Date('2026-03-27T23:00:00Z'), new Date('2026-03-30T22:00:00Z'), 'Europe/Paris');
    expect(days.map((d) => d.day)).toEqual(['2026-03-28', '2026-03-29', '2026-03-30']);
    expect(days.map((d) => (d.end.getTime() - d.start.getTime()) / 3_600_000)).toEqual([24, 23, 24]);
    expect(days[1]?.start.toISOString()).toBe('2026-03-28T23:00:00.000Z');
  });

  it('draws trends per day up to two months, per week beyond, a week summing its days from Monday', () => {
    const day = 86_400_000;
    expect(bucketOf(new Date(0), new Date(30 * day))).toBe('day');
    expect(bucketOf(new Date(0), new Date(90 * day))).toBe('week');
    const weeks = pointsOf(
      [
        { day: '2026-03-29', sums: sums(2, 600) }, // a Sunday
        { day: '2026-03-30', sums: sums(3, 900) }, // the next Monday
        { day: '2026-04-01', sums: sums(1, 60) },
      ],
      'Europe/Paris',
      'week',
    );
    expect(weeks.map((w) => w.start.toISODate())).toEqual(['2026-03-23', '2026-03-30']);
    expect(weeks.map((w) => [w.sums.byChannel.email, w.sums.responded, w.sums.respondSeconds])).toEqual([
      [2, 2, 600],
      [4, 4, 960],
    ]);
  });
});
