import { reference, type Channel, type Priority } from '../../domain/values.js';
import { formatBytes, formatDateTime, short, sms, whole } from './format.js';
import type { Block, Message, OmittedAttachment, SlaTarget, TemplateContexts, Templates, TicketInfo } from './types.js';

/**
 * The English messages. Edit the wording freely; keep the `${…}` parts.
 * - `subject`: without the number, which is added as [HD-1042] automatically.
 * - `body`: paragraphs; `{ quote }` to quote, `{ list }` for a bullet list.
 * - `sms`: written with sms`…`, which shortens user text so the whole fits in one SMS.
 */

const CATEGORIES: Record<string, string> = {
  network: 'network',
  printing: 'printing',
  accounts: 'accounts',
  email: 'email',
  hardware: 'hardware',
  software: 'software',
  security: 'security',
  access: 'access',
};
const PRIORITIES: Record<Priority, string> = { P1: 'critical', P2: 'high', P3: 'normal', P4: 'low' };
const CHANNELS: Record<Channel, string> = { voice: 'by phone', email: 'by email', sms: 'by SMS', web: 'on the web' };

const ref = (t: TicketInfo) => reference(t.number);
const category = (t: TicketInfo) => (t.category ? (CATEGORIES[t.category] ?? t.category) : 'uncategorised');
const hello = (name: string | null | undefined) => (name ? `Hello ${name},` : 'Hello,');
const signoff: Block = 'The IT helpdesk';
const deadline = (target: SlaTarget) => (target === 'respond' ? 'first response' : 'resolution');

function omission(o: OmittedAttachment, limits: TemplateContexts['omitted-attachments']['limits'] = {}): string {
  switch (o.reason) {
    case 'too_large':
      return `${o.filename}: too large${o.sizeBytes ? ` (${formatBytes(o.sizeBytes, 'en')})` : ''}${limits.maxBytes ? `, the limit is ${formatBytes(limits.maxBytes, 'en')}` : ''}`;
    case 'total_too_large':
      return `${o.filename}: the attachments together are too large${limits.maxTotalBytes ? ` (limit ${formatBytes(limits.maxTotalBytes, 'en')})` : ''}`;
    case 'blocked_type':
      return `${o.filename}: this type of file is refused for security reasons`;
    case 'too_many':
      return `${o.filename}: too many attachments${limits.maxCount ? ` (at most ${limits.maxCount})` : ''}`;
    case 'unreadable':
      return `${o.filename}: the file could not be read`;
  }
}

/** An approver's request and its reminder: the same words, the reminder says it is one. */
function approvalAsk(
  { ticket, approverName, requesterName, itemName, details, link, bySms }: TemplateContexts['request'],
  reminder: boolean,
): Message {
  // Whole: the number and its word are short, and a value the `sms` tag may not clip.
  const tag = reminder ? `Reminder ${ref(ticket)}` : ref(ticket);
  const who = requesterName ?? 'Someone';
  return {
    subject: `${reminder ? 'Reminder: approval' : 'Approval'} needed: ${short(itemName)}`,
    body: [
      hello(approverName),
      reminder
        ? `${who} is still waiting for your answer to request ${ref(ticket)}, "${itemName}":`
        : `${who} asks for "${itemName}" (request ${ref(ticket)}). Your approval is needed before the desk does it:`,
      { quote: details },
      link && `To approve: ${link}`,
      link && `To reject (you will be asked for the reason): ${link}#reject`,
      bySms && `Or text from your phone: YES ${ticket.number} to approve, NO ${ticket.number} followed by the reason to reject.`,
      signoff,
    ],
    // The link on a line of its own, never shortened (`whole`); who asks for what gives way to keep one segment.
    sms: link
      ? sms`${whole(tag)} to approve: ${`${who}: ${itemName}`}\nYES ${ticket.number} / NO ${ticket.number} <reason>\n${whole(link)}`
      : sms`${whole(tag)} to approve: ${`${who}: ${itemName}`}\nYES ${ticket.number} / NO ${ticket.number} <reason>`,
  };
}

export const en: Templates = {
  created: ({ ticket, requesterName, outages = [], articles = [], awaitingApproval = false }) => ({
    subject: `Request received: ${short(ticket.subject)}`,
    body: [
      hello(requesterName),
      `We have received your request "${ticket.subject}". Its number is ${ref(ticket)}: please quote it if you contact us about it.`,
      outages.length > 0 && 'Known incidents are in progress and may explain your problem:',
      outages.length > 0 && { list: outages.map((o) => (o.message ? `${o.title}: ${o.message}` : o.title)) },
      articles.length > 0 && 'These articles may solve it right away:',
      articles.length > 0 && { list: articles.map((a) => `${a.title}: ${a.link}`) },
      articles.length > 0 && 'If one of them solves your problem, press "This solved my problem" on its page: your request will be closed.',
      awaitingApproval
        ? 'Your request needs an approval first: we have asked for it, and a technician will take it up once it is approved. To add details, simply reply to this email.'
        : 'A technician will pick up your request. To add details or an attachment, simply reply to this email.',
      signoff,
    ],
    sms: awaitingApproval
      ? sms`Request ${ref(ticket)} received. It needs an approval first: we have asked for it and will let you know.`
      : outages[0]
        ? sms`Request ${ref(ticket)} received. Known incident: ${outages[0].title}. Reply to this SMS to add details.`
        : articles[0]
          ? sms`Request ${ref(ticket)} received. This may solve it: ${whole(articles[0].link)} Reply to this SMS to add details.`
          : sms`Request ${ref(ticket)} received, a technician will pick it up. Reply to this SMS to add details.`,
  }),

  assigned: ({ ticket, requesterName, technicianName }) => ({
    subject: 'A technician has your request',
    body: [
      hello(requesterName),
      `${technicianName ? `${technicianName}, one of our technicians,` : 'A technician'} has taken your request ${ref(ticket)} "${ticket.subject}".`,
      'They may contact you for more details. To add information, simply reply to this email.',
      signoff,
    ],
    sms: sms`${ref(ticket)}: a technician has your request.`,
  }),

  pending: ({ ticket, requesterName, question }) => ({
    subject: 'Waiting for your reply',
    body: [
      hello(requesterName),
      `To move forward with your request ${ref(ticket)} "${ticket.subject}", the technician needs some information from you${question ? ':' : '.'}`,
      question && { quote: question },
      'Simply reply to this email. Until we hear from you, the request is on hold.',
      signoff,
    ],
    sms: question
      ? sms`${ref(ticket)}: the technician asks: ${question}\nReply to this SMS.`
      : sms`${ref(ticket)}: the technician needs some information from you. Reply to this SMS.`,
  }),

  escalated: ({ ticket, requesterName }) => ({
    subject: 'Your request has gone to a specialist team',
    body: [
      hello(requesterName),
      `Your request ${ref(ticket)} "${ticket.subject}" has been passed to a specialist team${ticket.tier ? ` (tier ${ticket.tier})` : ''}, who will take it from here.`,
      'There is nothing you need to do: we will get back to you as soon as we can.',
      signoff,
    ],
    sms: sms`${ref(ticket)}: your request has gone to a specialist team. We will get back to you as soon as we can.`,
  }),

  resolved: ({ ticket, requesterName, resolution }) => ({
    subject: `Request resolved: ${short(ticket.subject)}`,
    body: [
      hello(requesterName),
      `Your request ${ref(ticket)} "${ticket.subject}" is resolved. Here is what we did:`,
      { quote: resolution },
      'If the problem is not fixed, simply reply to this email and the request will be reopened.',
      signoff,
    ],
    sms: sms`${ref(ticket)} resolved: ${resolution}\nNot fixed? Reply REOPEN.`,
  }),

  closed: ({ ticket, requesterName }) => ({
    subject: 'Request closed: one question for you',
    body: [
      hello(requesterName),
      `Your request ${ref(ticket)} "${ticket.subject}" is closed.`,
      'Just one question: how satisfied are you with the way it was handled?',
      'Reply to this email with a single digit, from 1 (not at all satisfied) to 5 (very satisfied).',
      'Thank you: your answer helps us improve.',
      signoff,
    ],
    sms: sms`${ref(ticket)} closed. How satisfied are you? Reply with a digit from 1 (not at all) to 5 (very satisfied).`,
  }),

  'omitted-attachments': ({ ticket, requesterName, omitted, limits }) => ({
    subject: 'Attachments left out',
    body: [
      hello(requesterName),
      `Your message was added to request ${ref(ticket)}, but ${omitted.length > 1 ? 'these attachments were' : 'this attachment was'} left out:`,
      { list: omitted.map((o) => omission(o, limits)) },
      'If they matter, reply to this email with a smaller file or a sharing link.',
      signoff,
    ],
    sms: sms`${ref(ticket)}: ${String(omitted.length)} attachment(s) left out: ${omitted.map((o) => o.filename).join(', ')}. Send smaller files or a link.`,
  }),

  offer: ({ ticket, summary, requesterName, timeoutMinutes, attempt = 1, link }) => ({
    subject: `${attempt > 1 ? 'Reminder: new' : 'New'} ${ticket.priority} request: ${short(ticket.subject)}`,
    body: [
      attempt > 1 ? 'This request is still waiting for a technician.' : 'A request is offered to you.',
      {
        list: [
          `Number: ${ref(ticket)}`,
          `Priority: ${ticket.priority} (${PRIORITIES[ticket.priority]})`,
          `Category: ${category(ticket)}`,
          `Subject: ${ticket.subject}`,
          ...(requesterName ? [`Requester: ${requesterName}`] : []),
        ],
      },
      summary && { quote: summary },
      `To take it, text ACCEPT ${ticket.number}; to hand it back, DECLINE ${ticket.number}.`,
      timeoutMinutes !== undefined && `Without an answer within ${timeoutMinutes} min, it will be offered to someone else.`,
    ],
    // The link on a line of its own, never shortened (`whole`): the summary gives way so that the
    // text stays one segment.
    sms: link
      ? sms`${attempt > 1 ? 'AGAIN ' : ''}${ref(ticket)} ${ticket.priority} ${category(ticket)}: ${summary ?? ticket.subject}\nReply ACCEPT ${ticket.number} / DECLINE ${ticket.number}\n${whole(link)}`
      : sms`${attempt > 1 ? 'AGAIN ' : ''}${ref(ticket)} ${ticket.priority} ${category(ticket)}: ${summary ?? ticket.subject}\nReply ACCEPT ${ticket.number} / DECLINE ${ticket.number}`,
  }),

  rejected: ({ ticket, requesterName, comment }) => ({
    subject: `Request not approved: ${short(ticket.subject)}`,
    body: [
      hello(requesterName),
      `Your request ${ref(ticket)} "${ticket.subject}" was not approved, and is closed. The reason given:`,
      { quote: comment },
      'If you have a question about it, simply reply to this email.',
      signoff,
    ],
    sms: sms`${ref(ticket)}: your request was not approved: ${comment}`,
  }),

  request: (ask) => approvalAsk(ask, false),
  reminder: (ask) => approvalAsk(ask, true),

  'approval-overdue': ({ ticket, requesterName, itemName, waitingFor, askedAt, timeZone }) => {
    const when = formatDateTime(askedAt, 'en', timeZone);
    return {
      subject: `Approval overdue: ${short(itemName)}`,
      body: [
        `Request ${ref(ticket)} "${ticket.subject}"${requesterName ? ` from ${requesterName}` : ''} has waited for approval since ${when}, and the reminder got no answer from:`,
        { list: waitingFor },
        'You can approve or reject it yourself on its page in the console.',
      ],
      sms: sms`${ref(ticket)}: approval overdue since ${when} (${itemName}). Approve or reject it on the console.`,
    };
  },

  'offer-reminder': ({ ticket, minutesLeft }) => ({
    subject: `Reminder: ${ticket.priority} request waiting for your answer`,
    body: [
      `Request ${ref(ticket)} "${ticket.subject}" (${ticket.priority}) is waiting for your answer. Without one within ${minutesLeft} min, it will be offered to someone else.`,
      `Text ACCEPT ${ticket.number} or DECLINE ${ticket.number}.`,
    ],
    sms: sms`Reminder ${ref(ticket)} ${ticket.priority}: ${ticket.subject}\n${String(minutesLeft)} min left. ACCEPT ${ticket.number} / DECLINE ${ticket.number}`,
  }),

  'sla-warning': ({ ticket, target, dueAt, timeZone }) => {
    const when = formatDateTime(dueAt, 'en', timeZone);
    return {
      subject: `Deadline near (${deadline(target)}): ${short(ticket.subject)}`,
      body: [
        `Request ${ref(ticket)} "${ticket.subject}" (${ticket.priority}) must be ${target === 'respond' ? 'picked up' : 'resolved'} by ${when}.`,
        'Past that, it will be escalated to the next tier.',
        `By SMS: NOTE ${ticket.number} <text>, DONE ${ticket.number} <resolution>, ESC ${ticket.number} <reason>.`,
      ],
      sms: sms`SLA ${ref(ticket)} ${ticket.priority}: ${deadline(target)} due by ${when}. ${ticket.subject}`,
    };
  },

  'outage-ended': ({ ticket, requesterName, outage }) => ({
    subject: `Incident over: ${short(outage.title)}`,
    body: [
      hello(requesterName),
      `The incident "${outage.title}", which your request ${ref(ticket)} "${ticket.subject}" was about, is over.`,
      outage.message && { quote: outage.message },
      'If your problem persists, simply reply to this email: a technician will pick up your request.',
      signoff,
    ],
    sms: sms`${ref(ticket)}: the incident "${outage.title}" is over. Still a problem? Reply to this SMS.`,
  }),

  'requester-replied': ({ ticket, requesterName, excerpt, channel }) => ({
    subject: `${requesterName ?? 'The requester'} replied`,
    body: [
      `${requesterName ?? 'The requester'} replied${channel ? ` ${CHANNELS[channel]}` : ''} on request ${ref(ticket)} "${ticket.subject}":`,
      { quote: excerpt },
      `By SMS: REPLY ${ticket.number} <text> to answer them, NOTE ${ticket.number} <text> to add a note.`,
    ],
    sms: sms`${ref(ticket)}: ${requesterName ?? 'the requester'} replied: ${excerpt}`,
  }),

  escalation: ({ ticket, reason, fromTier, toTier, by, assigneeName }) => ({
    subject: `Escalated ${ticket.priority} to tier ${toTier}: ${short(ticket.subject)}`,
    body: [
      `Request ${ref(ticket)} "${ticket.subject}" moves from tier ${fromTier} to tier ${toTier}${by ? ` (by ${by})` : ''}. Reason:`,
      { quote: reason },
      {
        list: [
          `Priority: ${ticket.priority} (${PRIORITIES[ticket.priority]})`,
          `Category: ${category(ticket)}`,
          `Technician: ${assigneeName ?? 'none yet'}`,
        ],
      },
    ],
    sms: sms`Escalated ${ref(ticket)} ${ticket.priority} to tier ${String(toTier)}: ${reason}`,
  }),

  storm: ({ ticket, tickets, link }) => ({
    subject: `Storm: ${tickets.length} similar requests, ${short(ticket.subject)}`,
    body: [
      `${tickets.length} requests that look like one cause were opened within minutes:`,
      { list: tickets.map((t) => `${reference(t.number)} ${t.subject}`) },
      link
        ? `Declare an outage or open a problem from them in one step: ${link}`
        : "Declare an outage or open a problem from them in one step on the console's outages page.",
    ],
    sms: sms`Storm: ${tickets.length} similar requests (${tickets.map((t) => reference(t.number)).join(' ')}): ${ticket.subject}`,
  }),

  breach: ({ ticket, target, dueAt, timeZone, assigneeName }) => {
    const when = formatDateTime(dueAt, 'en', timeZone);
    return {
      subject: `SLA breached (${deadline(target)}) ${ticket.priority}: ${short(ticket.subject)}`,
      body: [
        `The ${deadline(target)} deadline of request ${ref(ticket)} "${ticket.subject}" passed on ${when}.`,
        {
          list: [
            `Priority: ${ticket.priority} (${PRIORITIES[ticket.priority]})`,
            `Category: ${category(ticket)}`,
            `Technician: ${assigneeName ?? 'none'}`,
          ],
        },
      ],
      sms: sms`SLA breached ${ref(ticket)} ${ticket.priority}: ${deadline(target)} was due ${when}. ${ticket.subject}`,
    };
  },
};
