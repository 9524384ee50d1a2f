import { z } from 'zod';
import { parseInput } from '../../api/validate.js';
import { ticketFromFiltered } from '../../intake/email/filtered-ticket.js';
import { listFailedNotifications, retryNotification } from '../../notify/dead-letter.js';
import type { FailedRow } from '../../store/dead-letters.js';
import type { FilteredMail } from '../../store/filtered-mail-repository.js';
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
    filtered: 'Filtered mail',
    filteredIntro:
      'Emails that opened no ticket and landed on none: delivery reports about nothing the desk sent, automatic replies and list or bulk mail answering no open ticket, the desk’s own mail come back, a sender past the storm cap. Nobody was answered. If one was a real request, open a ticket from it: it is opened as the email would have opened it, and the sender is acknowledged.',
    filteredCount: (shown: number, total: number) => (shown < total ? `The ${shown} most recent of ${total}.` : `${total} in all.`),
    noneFiltered: 'No email was filtered.',
    from: 'From',
    subject: 'Subject',
    noSubject: '(no subject)',
    openTicket: 'Open a ticket',
    turnedInto: 'Ticket opened',
    reasons: (code: string) =>
      ({ loop: 'our own mail came back', bounce: 'delivery report', automatic: 'automatic or list mail', rate_limited: 'storm cap' })[
        code
      ] ?? code,
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
    filtered: 'Courrier filtré',
    filteredIntro:
      'Les e-mails qui n’ont ouvert aucun ticket et ne se sont joints à aucun : rapports de distribution sur rien de ce que le centre a envoyé, réponses automatiques et courrier de liste ou en nombre ne répondant à aucun ticket ouvert, courrier du centre revenu, expéditeur au-delà du plafond. Personne n’a reçu de réponse. Si l’un d’eux était une vraie demande, ouvrez-en un ticket : il est ouvert comme l’e-mail l’aurait ouvert, et l’expéditeur reçoit l’accusé de réception.',
    filteredCount: (shown: number, total: number) => (shown < total ? `Les ${shown} plus récents sur ${total}.` : `${total} au total.`),
    noneFiltered: 'Aucun e-mail filtré.',
    from: 'Expéditeur',
    subject: 'Objet',
    noSubject: '(sans objet)',
    openTicket: 'Ouvrir un ticket',
    turnedInto: 'Ticket ouvert',
    reasons: (code: string) =>
      ({
        loop: 'notre propre courrier revenu',
        bounce: 'rapport de distribution',
        automatic: 'courrier automatique ou de liste',
        rate_limited: 'plafond de messages',
      })[code] ?? code,
  },
);
type Words = ReturnType<typeof words>;

const REGION = 'failed-notifications';
const PAGE_SIZE = 100;

const notificationId = z.strictObject({ id: z.string().regex(/^\d{1,15}$/) });
const filteredId = z.strictObject({ id: z.uuid() });

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

function filteredRows(viewer: Viewer, t: Words, filtered: { items: FilteredMail[]; total: number }): Html {
  if (filtered.items.length === 0) return html`<p>${t.noneFiltered}</p>`;
  return html`<p>${t.filteredCount(filtered.items.length, filtered.total)}</p>
    <div class="table-wrap">
      <table class="filtered">
        <thead>
          <tr>
            <th scope="col">${t.from}</th>
            <th scope="col">${t.subject}</th>
            <th scope="col">${t.reason}</th>
            <th scope="col">${t.receivedAt}</th>
            <th scope="col">${t.action}</th>
          </tr>
        </thead>
        <tbody>
          ${filtered.items.map(
            (item) =>
              html`<tr>
                <td>${item.from ?? '–'}</td>
                <td>${item.subject || t.noSubject}</td>
                <td>
                  ${t.reasons(item.reason)}
                  <div class="hint">${item.detail}</div>
                </td>
                <td>${formatDateTime(item.receivedAt, viewer)}</td>
                <td>
                  ${
                    item.ticketId === null
                      ? html`<form method="post" action="/quarantine/filtered/${item.id}/ticket">
                          ${csrfField(viewer)}
                          <button type="submit">
                            ${t.openTicket}<span class="visually-hidden"> – ${item.subject || t.noSubject}</span>
                          </button>
                        </form>`
                      : t.turnedInto
                  }
                </td>
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
        const [failed, emails, filtered] = await Promise.all([
          failedNow(),
          deps.store.quarantine.list({ limit: PAGE_SIZE, offset: 0 }),
          deps.store.filteredMail.list({ limit: PAGE_SIZE, offset: 0 }),
        ]);
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
              </section>
              <section aria-labelledby="filtered">
                <h2 id="filtered">${t.filtered}</h2>
                <p class="hint">${t.filteredIntro}</p>
                ${filteredRows(viewer, t, filtered)}
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
    consoleRoute({
      method: 'post',
      path: '/quarantine/filtered/:id/ticket',
      access: 'coordinator',
      async handler({ params }) {
        const { id } = parseInput(filteredId, params, 'path');
        // As POST /api/filtered/:id/ticket: opened as the email would have opened it, once.
        const ticket = await ticketFromFiltered(deps.tickets, id);
        return { redirect: `/tickets/${ticket.number}` };
      },
    }),
  ];
}
