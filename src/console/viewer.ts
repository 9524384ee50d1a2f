import type { Request, Response } from 'express';
import { LANGUAGES, type Language } from '../domain/values.js';
import type { Principal } from '../store/token-repository.js';
import { cookieOf } from '../api/session.js';

/** Who is looking at a page, and how they read it. Built once per request by the console's router. */
export interface Viewer {
  principal: Principal;
  lang: Language;
  /** The session's CSRF secret, put into every form the page renders. */
  csrf: string;
  /** The desk's time zone (HELPDESK_TIMEZONE): every date on a page is in it. */
  timezone: string;
  /** The path and query the page was asked at, for links that keep the viewer's filters. */
  url: string;
  /** Set when the live layer asks for one region of the page (header `X-Console-Fragment`). */
  fragment: string | null;
}

export const LANGUAGE_COOKIE = 'helpdesk_lang';

const isLanguage = (value: unknown): value is Language => LANGUAGES.some((l) => l === value);

/** RFC 9110 §12.5.4: the languages the browser accepts, best first by their q-value. */
function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .slice(0, 20)
    .map((item, index) => {
      const [tag = '', ...params] = item.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { lang: tag.trim().toLowerCase().slice(0, 2), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.lang);
}

/**
 * The contract's order: `?lang=` (remembered in a cookie for this browser), then that cookie, then
 * Accept-Language, then HELPDESK_LANGUAGE.
 */
export function languageOf(req: Request, res: Response, fallback: Language): Language {
  const asked = req.query.lang;
  if (isLanguage(asked)) {
    res.cookie(LANGUAGE_COOKIE, asked, { httpOnly: true, sameSite: 'strict', path: '/', maxAge: 365 * 24 * 3600 * 1000 });
    return asked;
  }
  const remembered = cookieOf(req, LANGUAGE_COOKIE);
  if (isLanguage(remembered)) return remembered;
  return acceptedLanguages(req.headers['accept-language']).find(isLanguage) ?? fallback;
}
