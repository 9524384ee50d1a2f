/**
 * A duration as people write it in an environment file: `24h`, `90m`, `2d`, `45s`, or a sum such
 * as `1h30m`. A bare number is refused: minutes or hours, nobody can tell which was meant.
 */
const PART = /(\d+)\s*(d|h|m|s)/gy;
const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 };

/** Milliseconds, or null when the text is not a duration (or is zero). */
export function parseDuration(text: string): number | null {
  const compact = text.trim().toLowerCase();
  if (compact === '') return null;
  PART.lastIndex = 0;
  let total = 0;
  let read = 0;
  for (let m = PART.exec(compact); m; m = PART.exec(compact)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
    read = PART.lastIndex;
    while (compact[read] === ' ') read++;
    PART.lastIndex = read;
  }
  return read === compact.length && total > 0 ? total : null;
}
