/**
 * `HELPDESK_BUSINESS_HOURS`: `always`, or one or more `days hours` segments separated by commas or
 * semicolons, e.g. `mon-fri 08:00-18:00` or `mon-fri 08:00-12:00,13:30-18:00; sat 09:00-12:00`.
 */

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface OpeningWindow {
  weekday: IsoWeekday;
  /** Minutes after local midnight. */
  startMinute: number;
  /** Minutes after local midnight, exclusive; at most 1440. */
  endMinute: number;
}

export type BusinessHours = { kind: 'always' } | { kind: 'weekly'; windows: OpeningWindow[] };

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export function parseBusinessHours(input: string): BusinessHours {
  const text = input.trim().toLowerCase();
  if (text === 'always' || text === '24/7') return { kind: 'always' };
  const windows: OpeningWindow[] = [];
  // A comma after a time starts a new segment; one inside a day list (`sat,sun`) does not.
  const segments = text
    .split(/;|(?<=\d)\s*,\s*(?=[a-z])/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (segments.length === 0) throw new Error('expected "always" or e.g. "mon-fri 08:00-18:00"');
  for (const segment of segments) {
    const match = /^([a-z,-]+)\s+(.+)$/.exec(segment);
    if (!match) throw new Error(`cannot read "${segment}": expected e.g. "mon-fri 08:00-18:00"`);
    const days = parseDays(match[1] ?? '');
    for (const range of (match[2] ?? '').split(',')) {
      const [start, end] = parseRange(range.trim());
      for (const weekday of days) windows.push({ weekday, startMinute: start, endMinute: end });
    }
  }
  windows.sort((a, b) => a.weekday - b.weekday || a.startMinute - b.startMinute);
  return { kind: 'weekly', windows };
}

function parseDays(spec: string): IsoWeekday[] {
  const result = new Set<IsoWeekday>();
  for (const part of spec.split(',').filter(Boolean)) {
    const [from, to] = part.split('-');
    const a = dayIndex(from ?? '');
    const b = to === undefined ? a : dayIndex(to);
    if (b < a) throw new Error(`day range "${part}" runs backwards`);
    for (let d = a; d <= b; d++) result.add(d as IsoWeekday);
  }
  return [...result];
}

function dayIndex(name: string): number {
  const index = DAYS.indexOf(name.slice(0, 3) as (typeof DAYS)[number]);
  if (index < 0) throw new Error(`unknown day "${name}" (use mon, tue, wed, thu, fri, sat, sun)`);
  return index + 1;
}

function parseRange(range: string): [number, number] {
  const match = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(range);
  if (!match) throw new Error(`cannot read hours "${range}": expected HH:MM-HH:MM`);
  const start = Number(match[1]) * 60 + Number(match[2]);
  const end = Number(match[3]) * 60 + Number(match[4]);
  if (start >= end || end > 24 * 60) throw new Error(`hours "${range}" are not a forward range within a day`);
  return [start, end];
}
