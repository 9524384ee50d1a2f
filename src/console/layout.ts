import { common } from './i18n.js';
import { html, type Html } from './html.js';
import type { Viewer } from './viewer.js';

/** The nav items; coordinator pages are listed to coordinators only (a technician would get 403). */
export type NavItem = 'queue' | 'technicians' | 'outages' | 'stats' | 'quarantine' | 'rules';

const NAV: Array<{ item: NavItem; href: string; coordinatorOnly: boolean }> = [
  { item: 'queue', href: '/', coordinatorOnly: false },
  { item: 'technicians', href: '/technicians', coordinatorOnly: true },
  { item: 'outages', href: '/outages', coordinatorOnly: true },
  { item: 'stats', href: '/stats', coordinatorOnly: true },
  { item: 'quarantine', href: '/quarantine', coordinatorOnly: true },
  { item: 'rules', href: '/rules', coordinatorOnly: true },
];

/** Every POST form of the console carries the session's CSRF secret (see api/session.ts). */
export function csrfField(viewer: Pick<Viewer, 'csrf'>): Html {
  return html`<input type="hidden" name="_csrf" value="${viewer.csrf}" />`;
}

/** The same page in the other language: the path and query kept, `lang` replaced. */
function inLanguage(url: string, lang: string): string {
  const target = new URL(url, 'http://console.invalid');
  target.searchParams.set('lang', lang);
  return `${target.pathname}${target.search}`;
}

function shortcutSheet(t: ReturnType<typeof common>): Html {
  const keys: Array<[string, string]> = [
    ['?', t.shortcutHelp],
    ['g q', t.shortcutQueue],
    ['g t', t.shortcutTechnicians],
    ['/', t.shortcutSearch],
  ];
  return html`<dialog id="shortcuts" aria-labelledby="shortcuts-title">
    <h2 id="shortcuts-title">${t.shortcuts}</h2>
    <dl class="shortcuts">
      ${keys.map(
        ([key, what]) =>
          html`<dt><kbd>${key}</kbd></dt>
            <dd>${what}</dd>`,
      )}
    </dl>
    <form method="dialog"><button type="submit">${t.closeDialog}</button></form>
  </dialog>`;
}

/** Every page's head: the one stylesheet and the one script, both from our own origin (the CSP allows nothing else). */
function head(title: string): Html {
  return html`<head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title} · Helpdesk</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/assets/console.css" />
    <script src="/assets/console.js" defer></script>
  </head>`;
}

/** A page for someone not signed in (sign-in, the offer link on a phone): no navigation, same stylesheet and script. */
export function bareLayout(lang: Viewer['lang'], page: { title: string; body: Html }): Html {
  return html`<!doctype html>
    <html lang="${lang}">
      ${head(page.title)}
      <body class="bare">
        <main id="main">${page.body}</main>
      </body>
    </html>`;
}

/** A whole page of the console around `body`. */
export function layout(viewer: Viewer, page: { title: string; current?: NavItem; body: Html }): Html {
  const t = common(viewer.lang);
  const coordinator = viewer.principal.role === 'coordinator';
  const items = NAV.filter((n) => coordinator || !n.coordinatorOnly);
  return html`<!doctype html>
    <html lang="${viewer.lang}">
      ${head(page.title)}
      <body>
        <a class="skip" href="#main">${t.skipToContent}</a>
        <header class="top">
          <nav aria-label="${t.mainNav}">
            <ul>
              ${items.map(
                (n) => html`<li><a href="${n.href}" ${n.item === page.current ? html` aria-current="page"` : ''}>${t[n.item]}</a></li>`,
              )}
            </ul>
          </nav>
          <p id="live-status" role="status" data-live-text="${t.live}" data-lost-text="${t.reconnecting}"></p>
          <p class="languages">
            <span class="visually-hidden">${t.language}: </span>
            <a href="${inLanguage(viewer.url, 'en')}" lang="en" ${viewer.lang === 'en' ? html` aria-current="true"` : ''}>English</a>
            <a href="${inLanguage(viewer.url, 'fr')}" lang="fr" ${viewer.lang === 'fr' ? html` aria-current="true"` : ''}>Français</a>
          </p>
          <form method="post" action="/logout" class="sign-out">${csrfField(viewer)}<button type="submit">${t.signOut}</button></form>
        </header>
        <main id="main" tabindex="-1">${page.body}</main>
        ${shortcutSheet(t)}
      </body>
    </html>`;
}

/** A page that says what went wrong, in the frame, with the status the router sends. */
export function errorPage(viewer: Viewer, message: string): Html {
  const t = common(viewer.lang);
  return layout(viewer, {
    title: t.error,
    body: html`<h1>${t.error}</h1>
      <p class="error" role="alert">${message}</p>
      <p><a href="/">${t.backToQueue}</a></p>`,
  });
}
