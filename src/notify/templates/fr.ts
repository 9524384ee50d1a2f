import { reference, type Channel, type Priority } from '../../domain/values.js';
import { formatBytes, formatDateTime, short, sms, whole } from './format.js';
import type { Block, Message, OmittedAttachment, SlaTarget, TemplateContexts, Templates, TicketInfo } from './types.js';

/**
 * Les messages en français. Modifiez librement les phrases ; gardez les `${…}`.
 * - `subject` : sans le numéro, ajouté automatiquement sous la forme [HD-1042].
 * - `body` : des paragraphes ; `{ quote }` pour citer, `{ list }` pour une liste.
 * - `sms` : écrit avec sms`…`, qui raccourcit le texte de l'utilisateur pour tenir en un SMS.
 */

const CATEGORIES: Record<string, string> = {
  network: 'réseau',
  printing: 'impression',
  accounts: 'comptes',
  email: 'messagerie',
  hardware: 'matériel',
  software: 'logiciel',
  security: 'sécurité',
  access: 'accès',
};
const PRIORITIES: Record<Priority, string> = { P1: 'critique', P2: 'haute', P3: 'normale', P4: 'basse' };
const CHANNELS: Record<Channel, string> = { voice: 'par téléphone', email: 'par e-mail', sms: 'par SMS', web: 'par le web' };

const ref = (t: TicketInfo) => reference(t.number);
const category = (t: TicketInfo) => (t.category ? (CATEGORIES[t.category] ?? t.category) : 'non classée');
const hello = (name: string | null | undefined) => (name ? `Bonjour ${name},` : 'Bonjour,');
const signoff: Block = 'Le support informatique';
const deadline = (target: SlaTarget) => (target === 'respond' ? 'première réponse' : 'résolution');

function omission(o: OmittedAttachment, limits: TemplateContexts['omitted-attachments']['limits'] = {}): string {
  switch (o.reason) {
    case 'too_large':
      return `${o.filename} : trop volumineux${o.sizeBytes ? ` (${formatBytes(o.sizeBytes, 'fr')})` : ''}${limits.maxBytes ? `, maximum ${formatBytes(limits.maxBytes, 'fr')}` : ''}`;
    case 'total_too_large':
      return `${o.filename} : l'ensemble des pièces jointes est trop volumineux${limits.maxTotalBytes ? ` (maximum ${formatBytes(limits.maxTotalBytes, 'fr')})` : ''}`;
    case 'blocked_type':
      return `${o.filename} : type de fichier refusé par sécurité`;
    case 'too_many':
      return `${o.filename} : trop de pièces jointes${limits.maxCount ? ` (maximum ${limits.maxCount})` : ''}`;
    case 'unreadable':
      return `${o.filename} : fichier illisible`;
  }
}

/** La demande d'approbation et sa relance : les mêmes mots, la relance se dit telle. */
function approvalAsk(
  { ticket, approverName, requesterName, itemName, details, link, bySms }: TemplateContexts['request'],
  reminder: boolean,
): Message {
  // Whole: the number and its word are short, and a value the `sms` tag may not clip.
  const tag = reminder ? `Relance ${ref(ticket)}` : ref(ticket);
  const who = requesterName ?? 'Quelqu’un';
  return {
    subject: `${reminder ? 'Relance : approbation' : 'Approbation'} demandée : ${short(itemName)}`,
    body: [
      hello(approverName),
      reminder
        ? `${who} attend toujours votre réponse à la demande ${ref(ticket)}, « ${itemName} » :`
        : `${who} demande « ${itemName} » (demande ${ref(ticket)}). Votre accord est nécessaire avant que le support s'en charge :`,
      { quote: details },
      link && `Pour approuver : ${link}`,
      link && `Pour refuser (le motif vous sera demandé) : ${link}#reject`,
      bySms && `Ou par SMS depuis votre téléphone : OUI ${ticket.number} pour approuver, NON ${ticket.number} suivi du motif pour refuser.`,
      signoff,
    ],
    // Le lien sur sa propre ligne, jamais raccourci (`whole`) ; qui demande quoi cède pour tenir en un SMS.
    sms: link
      ? sms`${whole(tag)} à approuver : ${`${who} : ${itemName}`}\nOUI ${ticket.number} / NON ${ticket.number} <motif>\n${whole(link)}`
      : sms`${whole(tag)} à approuver : ${`${who} : ${itemName}`}\nOUI ${ticket.number} / NON ${ticket.number} <motif>`,
  };
}

export const fr: Templates = {
  created: ({ ticket, requesterName, outages = [], articles = [], awaitingApproval = false }) => ({
    subject: `Demande enregistrée : ${short(ticket.subject)}`,
    body: [
      hello(requesterName),
      `Nous avons bien reçu votre demande « ${ticket.subject} ». Son numéro est ${ref(ticket)} : rappelez-le si vous nous contactez à son sujet.`,
      outages.length > 0 && 'Des incidents connus sont en cours et peuvent expliquer votre problème :',
      outages.length > 0 && { list: outages.map((o) => (o.message ? `${o.title} : ${o.message}` : o.title)) },
      articles.length > 0 && 'Ces articles peuvent la résoudre tout de suite :',
      articles.length > 0 && { list: articles.map((a) => `${a.title} : ${a.link}`) },
      articles.length > 0 &&
        'Si l’un d’eux résout votre problème, appuyez sur « Cela a résolu mon problème » sur sa page : votre demande sera close.',
      awaitingApproval
        ? 'Votre demande doit d’abord être approuvée : nous avons demandé cet accord, et un technicien la prendra en charge dès qu’elle sera approuvée. Pour ajouter une précision, répondez simplement à ce message.'
        : 'Un technicien va prendre votre demande en charge. Pour ajouter une précision ou une pièce jointe, répondez simplement à ce message.',
      signoff,
    ],
    sms: awaitingApproval
      ? sms`Demande ${ref(ticket)} enregistrée. Elle doit d'abord être approuvée : nous avons demandé l'accord et vous tiendrons au courant.`
      : outages[0]
        ? sms`Demande ${ref(ticket)} enregistrée. Incident en cours : ${outages[0].title}. Répondez à ce SMS pour la compléter.`
        : articles[0]
          ? sms`Demande ${ref(ticket)} enregistrée. Ceci peut la résoudre : ${whole(articles[0].link)} Répondez à ce SMS pour la compléter.`
          : sms`Demande ${ref(ticket)} enregistrée, un technicien va la prendre en charge. Répondez à ce SMS pour la compléter.`,
  }),

  assigned: ({ ticket, requesterName, technicianName }) => ({
    subject: 'Un technicien a pris votre demande',
    body: [
      hello(requesterName),
      `${technicianName ? `${technicianName}, technicien du support,` : 'Un technicien du support'} a pris en charge votre demande ${ref(ticket)} « ${ticket.subject} ».`,
      'Il pourra vous contacter pour en savoir plus. Pour ajouter une information, répondez simplement à ce message.',
      signoff,
    ],
    sms: sms`${ref(ticket)} : un technicien a pris en charge votre demande.`,
  }),

  pending: ({ ticket, requesterName, question }) => ({
    subject: 'Nous attendons votre réponse',
    body: [
      hello(requesterName),
      `Pour avancer sur votre demande ${ref(ticket)} « ${ticket.subject} », le technicien a besoin d'une information de votre part${question ? ' :' : '.'}`,
      question && { quote: question },
      "Répondez simplement à ce message. Tant que nous n'avons pas votre réponse, la demande reste en attente.",
      signoff,
    ],
    sms: question
      ? sms`${ref(ticket)} : le technicien vous demande : ${question}\nRépondez à ce SMS.`
      : sms`${ref(ticket)} : le technicien attend une information de votre part. Répondez à ce SMS.`,
  }),

  escalated: ({ ticket, requesterName }) => ({
    subject: 'Votre demande est confiée à une équipe spécialisée',
    body: [
      hello(requesterName),
      `Votre demande ${ref(ticket)} « ${ticket.subject} » est confiée à une équipe spécialisée${ticket.tier ? ` (niveau ${ticket.tier})` : ''}, qui va la reprendre.`,
      "Vous n'avez rien à faire : nous revenons vers vous dès que possible.",
      signoff,
    ],
    sms: sms`${ref(ticket)} : votre demande est confiée à une équipe spécialisée. Nous revenons vers vous dès que possible.`,
  }),

  resolved: ({ ticket, requesterName, resolution }) => ({
    subject: `Demande résolue : ${short(ticket.subject)}`,
    body: [
      hello(requesterName),
      `Votre demande ${ref(ticket)} « ${ticket.subject} » est résolue. Voici ce que nous avons fait :`,
      { quote: resolution },
      "Si le problème n'est pas réglé, répondez simplement à ce message : la demande sera rouverte.",
      signoff,
    ],
    sms: sms`${ref(ticket)} résolue : ${resolution}\nPas réglé ? Répondez REOPEN.`,
  }),

  closed: ({ ticket, requesterName }) => ({
    subject: 'Demande clôturée : votre avis en une question',
    body: [
      hello(requesterName),
      `Votre demande ${ref(ticket)} « ${ticket.subject} » est clôturée.`,
      'Une seule question : êtes-vous satisfait de la façon dont elle a été traitée ?',
      'Répondez à ce message par un seul chiffre, de 1 (pas du tout satisfait) à 5 (très satisfait).',
      'Merci : votre réponse nous aide à améliorer le service.',
      signoff,
    ],
    sms: sms`${ref(ticket)} clôturée. Êtes-vous satisfait ? Répondez par un chiffre de 1 (pas du tout) à 5 (très satisfait).`,
  }),

  'omitted-attachments': ({ ticket, requesterName, omitted, limits }) => ({
    subject: 'Pièces jointes non retenues',
    body: [
      hello(requesterName),
      `Votre message est bien ajouté à la demande ${ref(ticket)}, mais ${omitted.length > 1 ? 'ces pièces jointes n’ont pas été retenues' : 'cette pièce jointe n’a pas été retenue'} :`,
      { list: omitted.map((o) => omission(o, limits)) },
      'Si elles sont utiles, répondez à ce message avec un fichier plus petit ou un lien de partage.',
      signoff,
    ],
    sms: sms`${ref(ticket)} : ${String(omitted.length)} pièce(s) jointe(s) non retenue(s) : ${omitted.map((o) => o.filename).join(', ')}. Envoyez-les plus petites ou par lien.`,
  }),

  offer: ({ ticket, summary, requesterName, timeoutMinutes, attempt = 1, link }) => ({
    subject: `${attempt > 1 ? 'Relance : nouvelle' : 'Nouvelle'} demande ${ticket.priority} : ${short(ticket.subject)}`,
    body: [
      attempt > 1 ? 'Cette demande attend toujours un technicien.' : 'Une demande vous est proposée.',
      {
        list: [
          `Numéro : ${ref(ticket)}`,
          `Priorité : ${ticket.priority} (${PRIORITIES[ticket.priority]})`,
          `Catégorie : ${category(ticket)}`,
          `Sujet : ${ticket.subject}`,
          ...(requesterName ? [`Demandeur : ${requesterName}`] : []),
        ],
      },
      summary && { quote: summary },
      `Pour l'accepter, envoyez ACCEPT ${ticket.number} par SMS ; pour la refuser, DECLINE ${ticket.number}.`,
      timeoutMinutes !== undefined && `Sans réponse dans ${timeoutMinutes} min, elle sera proposée à quelqu'un d'autre.`,
    ],
    sms: link
      ? sms`${attempt > 1 ? 'RELANCE ' : ''}${ref(ticket)} ${ticket.priority} ${category(ticket)} : ${summary ?? ticket.subject}\nRépondez ACCEPT ${ticket.number} / DECLINE ${ticket.number}\n${whole(link)}`
      : sms`${attempt > 1 ? 'RELANCE ' : ''}${ref(ticket)} ${ticket.priority} ${category(ticket)} : ${summary ?? ticket.subject}\nRépondez ACCEPT ${ticket.number} / DECLINE ${ticket.number}`,
  }),

  rejected: ({ ticket, requesterName, comment }) => ({
    subject: `Demande non approuvée : ${short(ticket.subject)}`,
    body: [
      hello(requesterName),
      `Votre demande ${ref(ticket)} « ${ticket.subject} » n'a pas été approuvée ; elle est close. Le motif donné :`,
      { quote: comment },
      'Pour toute question à ce sujet, répondez simplement à ce message.',
      signoff,
    ],
    sms: sms`${ref(ticket)} : votre demande n'a pas été approuvée : ${comment}`,
  }),

  request: (ask) => approvalAsk(ask, false),
  reminder: (ask) => approvalAsk(ask, true),

  'approval-overdue': ({ ticket, requesterName, itemName, waitingFor, askedAt, timeZone }) => {
    const when = formatDateTime(askedAt, 'fr', timeZone);
    return {
      subject: `Approbation en retard : ${short(itemName)}`,
      body: [
        `La demande ${ref(ticket)} « ${ticket.subject} »${requesterName ? ` de ${requesterName}` : ''} attend une approbation depuis le ${when}, et la relance est restée sans réponse de :`,
        { list: waitingFor },
        'Vous pouvez l’approuver ou la refuser vous-même depuis sa page dans la console.',
      ],
      sms: sms`${ref(ticket)} : approbation en retard depuis le ${when} (${itemName}). Approuvez ou refusez-la dans la console.`,
    };
  },

  'offer-reminder': ({ ticket, minutesLeft }) => ({
    subject: `Rappel : demande ${ticket.priority} en attente de votre réponse`,
    body: [
      `La demande ${ref(ticket)} « ${ticket.subject} » (${ticket.priority}) attend votre réponse. Sans réponse dans ${minutesLeft} min, elle sera proposée à quelqu'un d'autre.`,
      `Répondez par SMS : ACCEPT ${ticket.number} ou DECLINE ${ticket.number}.`,
    ],
    sms: sms`Rappel ${ref(ticket)} ${ticket.priority} : ${ticket.subject}\nPlus que ${String(minutesLeft)} min. ACCEPT ${ticket.number} / DECLINE ${ticket.number}`,
  }),

  'sla-warning': ({ ticket, target, dueAt, timeZone }) => {
    const when = formatDateTime(dueAt, 'fr', timeZone);
    return {
      subject: `Échéance proche (${deadline(target)}) : ${short(ticket.subject)}`,
      body: [
        `La demande ${ref(ticket)} « ${ticket.subject} » (${ticket.priority}) doit être ${target === 'respond' ? 'prise en charge' : 'résolue'} avant le ${when}.`,
        'Passé ce délai, elle sera escaladée au niveau supérieur.',
        `Par SMS : NOTE ${ticket.number} <texte>, DONE ${ticket.number} <résolution>, ESC ${ticket.number} <motif>.`,
      ],
      sms: sms`SLA ${ref(ticket)} ${ticket.priority} : ${deadline(target)} avant le ${when}. ${ticket.subject}`,
    };
  },

  'outage-ended': ({ ticket, requesterName, outage }) => ({
    subject: `Incident terminé : ${short(outage.title)}`,
    body: [
      hello(requesterName),
      `L'incident « ${outage.title} », dont votre demande ${ref(ticket)} « ${ticket.subject} » faisait partie, est terminé.`,
      outage.message && { quote: outage.message },
      'Si votre problème persiste, répondez simplement à ce message : un technicien reprendra votre demande.',
      signoff,
    ],
    sms: sms`${ref(ticket)} : l'incident « ${outage.title} » est terminé. Toujours un problème ? Répondez à ce SMS.`,
  }),

  'requester-replied': ({ ticket, requesterName, excerpt, channel }) => ({
    subject: `${requesterName ?? 'Le demandeur'} a répondu`,
    body: [
      `${requesterName ?? 'Le demandeur'} a répondu${channel ? ` ${CHANNELS[channel]}` : ''} sur la demande ${ref(ticket)} « ${ticket.subject} » :`,
      { quote: excerpt },
      `Par SMS : REPLY ${ticket.number} <texte> pour lui répondre, NOTE ${ticket.number} <texte> pour ajouter une note.`,
    ],
    sms: sms`${ref(ticket)} : ${requesterName ?? 'le demandeur'} a répondu : ${excerpt}`,
  }),

  escalation: ({ ticket, reason, fromTier, toTier, by, assigneeName }) => ({
    subject: `Escalade ${ticket.priority} au niveau ${toTier} : ${short(ticket.subject)}`,
    body: [
      `La demande ${ref(ticket)} « ${ticket.subject} » passe du niveau ${fromTier} au niveau ${toTier}${by ? ` (par ${by})` : ''}. Motif :`,
      { quote: reason },
      {
        list: [
          `Priorité : ${ticket.priority} (${PRIORITIES[ticket.priority]})`,
          `Catégorie : ${category(ticket)}`,
          `Technicien : ${assigneeName ?? "aucun pour l'instant"}`,
        ],
      },
    ],
    sms: sms`Escalade ${ref(ticket)} ${ticket.priority} niveau ${String(toTier)} : ${reason}`,
  }),

  storm: ({ ticket, tickets, link }) => ({
    subject: `Afflux : ${tickets.length} demandes semblables, ${short(ticket.subject)}`,
    body: [
      `${tickets.length} demandes qui semblent avoir une même cause ont été ouvertes en quelques minutes :`,
      { list: tickets.map((t) => `${reference(t.number)} ${t.subject}`) },
      link
        ? `Déclarer une panne ou ouvrir un problème à partir d'elles en une étape : ${link}`
        : "Déclarer une panne ou ouvrir un problème à partir d'elles en une étape sur la page des pannes de la console.",
    ],
    sms: sms`Afflux : ${tickets.length} demandes semblables (${tickets.map((t) => reference(t.number)).join(' ')}) : ${ticket.subject}`,
  }),

  breach: ({ ticket, target, dueAt, timeZone, assigneeName }) => {
    const when = formatDateTime(dueAt, 'fr', timeZone);
    return {
      subject: `SLA dépassé (${deadline(target)}) ${ticket.priority} : ${short(ticket.subject)}`,
      body: [
        `Le délai de ${deadline(target)} de la demande ${ref(ticket)} « ${ticket.subject} » est dépassé depuis le ${when}.`,
        {
          list: [
            `Priorité : ${ticket.priority} (${PRIORITIES[ticket.priority]})`,
            `Catégorie : ${category(ticket)}`,
            `Technicien : ${assigneeName ?? 'aucun'}`,
          ],
        },
      ],
      sms: sms`SLA dépassé ${ref(ticket)} ${ticket.priority} : ${deadline(target)} due le ${when}. ${ticket.subject}`,
    };
  },
};
