import twilio from 'twilio';
import type { Config } from '../../config/index.js';
import type { Logger } from '../../log.js';
import type { Store } from '../../store/index.js';
import type { TicketDeps } from '../../tickets/deps.js';
import { parseApprovalCommand } from './approval-commands.js';
import { isApprovalAnswer, runApprovalSms } from './approval-sms.js';
import { receiveRequesterSms } from './requester-texts.js';
import { extractMedia } from './requester-sms.js';
import { runTechnicianSms } from './technician-sms.js';
import { formOf, param, sendTwiml, type WebhookRoute } from './webhook-route.js';

export interface SmsRouteDeps {
  config: Pick<Config, 'language'>;
  store: Store;
  tickets: TicketDeps;
  log: Logger;
}

/**
 * POST /twilio/sms: every text to the hotline number. An approver answers a request with YES/NO
 * (approval-sms.ts). A registered technician's phone sends
 * commands, answered in the TwiML reply; anyone else is a requester, whose text opens or joins a
 * ticket and is acknowledged through the outbox like every other notification. A MessageSid seen
 * before (Twilio redelivers) answers an empty document and changes nothing.
 */
export function smsRoutes(deps: SmsRouteDeps): WebhookRoute[] {
  return [
    {
      path: '/sms',
      async handle(req, res) {
        const form = formOf(req);
        const messageSid = param(form, 'MessageSid') ?? param(form, 'SmsSid');
        const from = param(form, 'From');
        if (!messageSid || !from) return sendTwiml(res, messagingTwiml(null));
        if ((await deps.store.messages.ticketIdOf('sms', messageSid)) !== undefined) {
          return sendTwiml(res, messagingTwiml(null));
        }
        const sms = {
          messageSid,
          from,
          to: param(form, 'To') ?? null,
          text: param(form, 'Body') ?? '',
          optOutType: param(form, 'OptOutType'),
        };
        // An approver's YES/NO first (#17): the approver may be a technician. A text that only reads
        // as one (a number is required) from a technician or requester not asked goes their usual
        // way; from a stranger, it opens nothing (approval-sms.ts isApprovalAnswer).
        const approval = parseApprovalCommand(sms.text);
        if (approval && (await isApprovalAnswer(deps, from, approval))) {
          const reply = await runApprovalSms(deps, sms, approval);
          deps.log.info({ messageSid, command: approval.kind, replied: reply !== null }, 'approval SMS');
          return sendTwiml(res, messagingTwiml(reply));
        }
        const technician = await deps.store.technicians.findByPhone(from);
        if (technician) {
          const reply = await runTechnicianSms(deps, technician, sms);
          deps.log.info({ messageSid, technicianId: technician.id, replied: reply !== null }, 'technician SMS');
          return sendTwiml(res, messagingTwiml(reply));
        }
        const outcome = await receiveRequesterSms(deps, { ...sms, media: extractMedia(form) });
        deps.log.info({ messageSid, outcome }, 'requester SMS');
        sendTwiml(res, messagingTwiml(null));
      },
    },
  ];
}

/** A reply to the sender, or an empty document: Twilio then sends nothing. */
function messagingTwiml(reply: string | null): string {
  const response = new twilio.twiml.MessagingResponse();
  if (reply !== null) response.message(reply);
  return response.toString();
}
