import { reference, type Language } from '../../domain/values.js';
import { en } from './en.js';
import { blocksToHtml, blocksToText, oneLine, toGsm } from './format.js';
import { fr } from './fr.js';
import {
  APPROVER_KINDS,
  COORDINATOR_KINDS,
  REQUESTER_KINDS,
  TECHNICIAN_KINDS,
  type Audience,
  type Message,
  type Rendered,
  type TemplateContexts,
  type TemplateKind,
  type Templates,
} from './types.js';

export * from './types.js';
export { smsLength, toGsm } from './format.js';

const TEMPLATES: Record<Language, Templates> = { fr, en };

export function audienceOf(kind: TemplateKind): Audience {
  if ((REQUESTER_KINDS as readonly string[]).includes(kind)) return 'requester';
  if ((TECHNICIAN_KINDS as readonly string[]).includes(kind)) return 'technician';
  if ((COORDINATOR_KINDS as readonly string[]).includes(kind)) return 'coordinator';
  if ((APPROVER_KINDS as readonly string[]).includes(kind)) return 'approver';
  throw new Error(`unknown template kind ${kind}`);
}

/**
 * One notification in one language, for every channel: the caller (who-hears-what) picks the email
 * parts or the SMS. The subject always carries `[HD-<number>]`, the HTML part escapes all text, and
 * the SMS is GSM-7.
 */
export function render<K extends TemplateKind>(kind: K, lang: Language, ctx: TemplateContexts[K]): Rendered {
  const template: (c: TemplateContexts[K]) => Message = TEMPLATES[lang][kind];
  const message = template(ctx);
  const tag = `[${reference(ctx.ticket.number)}]`;
  const subject = oneLine(message.subject);
  return {
    subject: subject.includes(tag) ? subject : `${tag} ${subject}`,
    text: `${blocksToText(message.body)}\n`,
    html: blocksToHtml(message.body, lang),
    sms: toGsm(message.sms),
  };
}
