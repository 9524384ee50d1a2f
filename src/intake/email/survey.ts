import type { SurveyScore } from '../../tickets/satisfaction.js';
import { closingOf, splitReply } from './quoted.js';

/**
 * "5", "4/5", "3 !": a digit alone is a survey answer; anything more is a message. Matched only on a
 * short trimmed text: over the whole text, `\s*(?:…)?\s*[.!]?\s*$` took 31 s on a "1" followed by
 * 4,000 spaces (cubic backtracking), and every person's email goes through here.
 */
const SCORE = /^([1-5])\s*(?:\/\s*5)?\s*[.!]?$/;
const MAX_SCORE_CHARS = 12;

/** The 1–5 an email's new text is, alone; null for anything else. */
export function surveyDigit(text: string): string | null {
  // "5\n\nThanks,\nJane": the sign-off stays in the reply's text but is no part of the answer.
  const reply = splitReply(text).reply;
  const closing = closingOf(reply);
  const answer = (closing !== '' && reply.endsWith(closing) ? reply.slice(0, reply.length - closing.length) : reply).trim();
  return answer.length > MAX_SCORE_CHARS ? null : (SCORE.exec(answer)?.[1] ?? null);
}

/** The score a digit surveyDigit found stands for. */
export const SCORE_OF: Readonly<Record<string, SurveyScore>> = { '1': 1, '2': 2, '3': 3, '4': 4, '5': 5 };
