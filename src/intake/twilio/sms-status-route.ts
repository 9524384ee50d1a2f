import twilio from 'twilio';
import { recordSmsStatus } from '../../notify/delivery-status.js';
import type { Store } from '../../store/index.js';
import { formOf, param, sendTwiml, type WebhookRoute } from './webhook-route.js';

/**
 * POST /twilio/sms/status: the delivery reports of the texts we sent (the StatusCallback the SMS
 * sender sets). The notify side records them on the message and its outbox row; callbacks arrive
 * out of order and more than once, which recordSmsStatus copes with.
 */
export function smsStatusRoutes(deps: { store: Store }): WebhookRoute[] {
  return [
    {
      path: '/sms/status',
      async handle(req, res) {
        const form = formOf(req);
        const messageSid = param(form, 'MessageSid') ?? param(form, 'SmsSid');
        const status = param(form, 'MessageStatus') ?? param(form, 'SmsStatus');
        if (messageSid && status) {
          await recordSmsStatus(deps.store, { messageSid, status, errorCode: param(form, 'ErrorCode') ?? null });
        }
        sendTwiml(res, new twilio.twiml.MessagingResponse().toString());
      },
    },
  ];
}
