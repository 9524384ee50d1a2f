import { z } from 'zod';
import { parseInput } from '../../api/validate.js';
import { listFailedNotifications, retryNotification } from '../../notify/dead-letter.js';
import type { FailedRow } from '../../store/dead-letters.js';
import type { QuarantinedEmail } from '../../store/quarantine-repository.js';
import type { ConsoleDeps } from '../deps.js';
import { html, type Html } from '../html.js';
import { formatDateTime, texts } from '../i18n.js';
import { csrfField, layout } from '../layout.js';
import { consoleRoute, type ConsoleRoute } from '../route.js';
import type { Viewer } from '../viewer.js';

const words = texts(
  {
    title: 'Quarantine and failed notifications',
    failed: 'Notifications that failed',
    failedIntro:
      'Messages the desk gave up sending: a refused number or address, an SMS the carrier did not deliver, an outcome nobody can tell. Fix the cause (a technician’s number, a requester’s address), then retry: the message goes out again as first written.',
    failedCount: (shown: number, total: number) => (shown < total ? `The ${shown} most recent of ${total}.` : `${total} in all.`),
    noneFailed: 'No notification has failed.',
    ticket: 'Ticket',
    kind: 'Kind',
    channel: 'Channel',
    recipient: 'Recipient',
    attempts: 'Attempts',
    why: 'Why',
    failedAt: 'Failed at',
    action: 'Action',
    retry: 'Retry',
    unknown: 'unknown',
    quarantine: 'Emails that could not be read',
    quarantineIntro:
      'Messages with no header at all: they opened no ticket. Each is kept raw, as received, so that it can be read again; the console cannot retry them yet.',
    quarantineCount: (shown: number) => `The ${shown} most recent.`,
    noneQuarantined: 'No email is in quarantine.',
    mailbox: 'Mailbox',
    uid: 'UID',
    reason: 'Reason',
    receivedAt: 'Received',
  },
  {
    title: 'Quarantaine et notifications en échec',
    failed: 'Notifications en échec',
    failedIntro:
      'Les messages que le centre a renoncé à envoyer : numéro ou adresse refusés, SMS non distribué par l’opérateur, issue inconnue. Corrigez la cause (le numéro d’un technicien, l’adresse d’un demandeur), puis relancez : le message repart tel qu’il avait été rédigé.',
    failedCount: (shown: number, total: number) => (shown < total ? `Les ${shown} plus récentes sur ${total}.` : `${total} au total.`),
    noneFailed: 'Aucune notification en échec.',
    ticket: 'Ticket',
    kind: 'Type',
    channel: 'Canal',
    recipient: 'Destinataire',
    attempts: 'Tentatives',
    why: 'Raison',
    failedAt: 'Échec le',
    action: 'Action',
    retry: 'Relancer',
    unknown: 'inconnue',
    quarantine: 'E-mails illisibles',
    quarantineIntro:
      'Des messages sans aucun en-tête : ils n’ont ouvert aucun ticket. Chacun est conservé brut, tel que reçu, pour pouvoir être relu ; la console ne sait pas encore les relancer.',
    quarantineCount: (shown: number) => `Les ${shown} plus récents.`,
    noneQuarantined: 'Aucun e-mail en quarantaine.',
    mailbox: 'Boîte',
    uid: 'UID',
    reason: 'Raison',
    receivedAt: 'Reçu le',
  },
);
type Words = ReturnType<typeof words>;

const REGION = 'failed-notifications';
const PAGE_SIZE = 100;

const notificationId = z.strictObject({ id: z.string().regex(/^\d{1,15}$/) });

function failedRows(viewer: Viewer, t: Words, failed: { items: FailedRow[]; total: number }): Html {
  if (failed.items.length === 0) return html`<p>${t.noneFailed}</p>`;
  return html`<p>${t.failedCount(failed.items.length, failed.total)}</p>
    <div class="table-wrap">
      <table class="failed">
        <thead>
          <tr>
            <th scope="col">${t.ticket}</th>
            <th scope="col">${t.kind}</th>
            <th scope="col">${t.channel}</th>
            <th scope="col">${t.recipient}</th>
            <th scope="col">${t.attempts}</th>
            <th scope="col">${t.why}</th>
            <th scope="col">${t.failedAt}</th>
            <th scope="col">${t.action}</th>
          </tr>
        </thead>
        <tbody>
          ${failed.items.map(
            (row) =>
              html`<tr>
                <td>${row.ticketNumber === null ? '–' : html`<a href="/tickets/${row.ticketNumber}">HD-${row.ticketNumber}</a>`}</td>
                <td>${row.kind}</td>
                <td>${row.channel}</td>
                <td>${row.recipient}</td>
                <td>${row.attempts}</td>
                <td>${row.errorCode ? html`<code>${row.errorCode}</code> ` : ''}${row.lastError ?? ''}</td>
                <td>${row.failedAt ? formatDateTime(row.failedAt, viewer) : t.unknown}</td>
                <td>
                  <form method="post" action="/quarantine/notifications/${row.id}/retry">
                    ${csrfField(viewer)}
                    <button type="submit">${t.retry}<span class="visually-hidden"> – ${row.kind} ${row.recipient}</span></button>
                  </form>
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}

function quarantined(viewer: Viewer, t: Words, items: readonly QuarantinedEmail[]): Html {
  if (items.length === 0) return html`<p>${t.noneQuarantined}</p>`;
  return html`<p>${t.quarantineCount(items.length)}</p>
    <div class="table-wrap">
      <table class="quarantined">
        <thead>
          <tr>
            <th scope="col">${t.mailbox}</th>
            <th scope="col">${t.uid}</th>
            <th scope="col">${t.reason}</th>
            <th scope="col">${t.receivedAt}</th>
          </tr>
        </thead>
        <tbody>
          ${items.map(
            (item) =>
              html`<tr>
                <td>${item.mailbox}</td>
                <td>${item.uid ?? '–'}</td>
                <td>${item.reason}</td>
                <td>${formatDateTime(item.receivedAt, viewer)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}

/** `/quarantine`: what could not be read (quarantined emails) or delivered (failed notifications), with retry. */
export function quarantinePages(deps: ConsoleDeps): ConsoleRoute[] {
  const failedNow = () => listFailedNotifications(deps.store, { limit: PAGE_SIZE, offset: 0 });
  return [
    consoleRoute({
      method: 'get',
      path: '/quarantine',
      access: 'coordinator',
      async handler({ viewer }) {
        const t = words(viewer.lang);
        if (viewer.fragment === REGION) return { fragment: failedRows(viewer, t, await failedNow()) };
        const [failed, emails] = await Promise.all([failedNow(), deps.store.quarantine.list({ limit: PAGE_SIZE, offset: 0 })]);
        return {
          page: layout(viewer, {
            title: t.title,
            current: 'quarantine',
            body: html`<h1>${t.title}</h1>
              <section aria-labelledby="failed">
                <h2 id="failed">${t.failed}</h2>
                <p class="hint">${t.failedIntro}</p>
                <div data-live="${REGION}">${failedRows(viewer, t, failed)}</div>
              </section>
              <section aria-labelledby="quarantined">
                <h2 id="quarantined">${t.quarantine}</h2>
                <p class="hint">${t.quarantineIntro}</p>
                ${quarantined(viewer, t, emails.items)}
              </section>`,
          }),
        };
      },
    }),
    consoleRoute({
      method: 'post',
      path: '/quarantine/notifications/:id/retry',
      access: 'coordinator',
      async handler({ params }) {
        const { id } = parseInput(notificationId, params, 'path');
        // As POST /api/notifications/:id/retry: back to the queue past suppression, the ticket told who asked.
        await retryNotification(deps.store, Number(id), 'coordinator');
        return { redirect: '/quarantine' };
      },
    }),
  ];
}
