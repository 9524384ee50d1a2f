import type { Language } from '../../domain/values.js';
import { html, type Html } from '../html.js';
import { texts } from '../i18n.js';
import { bareLayout } from '../layout.js';

const words = texts(
  {
    title: 'Sign in',
    heading: 'Helpdesk console',
    token: 'API token',
    hint: 'The coordinator token (HELPDESK_API_TOKEN, or the one printed at first start) or a technician’s own token.',
    submit: 'Sign in',
    wrong: 'This token is unknown or revoked.',
  },
  {
    title: 'Connexion',
    heading: 'Console du centre de services',
    token: "Jeton d'API",
    hint: 'Le jeton du coordinateur (HELPDESK_API_TOKEN, ou celui affiché au premier démarrage) ou le jeton personnel d’un technicien.',
    submit: 'Se connecter',
    wrong: 'Ce jeton est inconnu ou révoqué.',
  },
);

/** The contract's sign-in form: one field, labelled "API token" / "Jeton d'API". */
export function loginPage(lang: Language, failed: boolean): Html {
  const t = words(lang);
  return bareLayout(lang, {
    title: t.title,
    body: html`<h1>${t.heading}</h1>
      <form method="post" action="/login" class="login">
        ${failed ? html`<p class="error" role="alert" id="token-error">${t.wrong}</p>` : ''}
        <label for="token">${t.token}</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="current-password"
          required
          autofocus
          aria-describedby="token-hint${failed ? ' token-error' : ''}"
          ${failed ? html` aria-invalid="true"` : ''}
        />
        <p id="token-hint" class="hint">${t.hint}</p>
        <p class="language-switch"><a href="/login?lang=en" lang="en">English</a> · <a href="/login?lang=fr" lang="fr">Français</a></p>
        <button type="submit">${t.submit}</button>
      </form>`,
  });
}
