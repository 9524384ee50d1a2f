import type { Config } from '../config/index.js';
import { parseSmtpUrl } from '../config/oauth.js';
import type { AccessTokens } from '../mail/oauth/token-manager.js';
import { createSmtpMailTransport } from './channels/smtp-mail.js';
import { createTwilioSmsSender } from './channels/twilio-sms.js';
import type { Channels } from './deliver.js';
import { articleLinksOf } from './article-link.js';
import { approvalLinksOf } from './approval-link.js';

/** Twilio posts delivery statuses of the SMS we send here (the contract's `/twilio/sms/status`). */
function smsStatusCallbackUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/twilio/sms/status`;
}

/**
 * The channels the configuration allows: SMS when the three TWILIO_* variables are set, email when
 * SMTP_URL is. A missing one is simply absent; its rows wait in the outbox.
 */
export function channelsFromConfig(
  config: Pick<Config, 'apiToken' | 'twilio' | 'twilioApiUrl' | 'publicUrl' | 'smtpUrl' | 'mailFrom'>,
  /** The access tokens of SMTP_URL's `auth=oauth2`. */
  tokens?: AccessTokens,
): Channels {
  const channels: Channels = { articleLinks: articleLinksOf(config), approvalLinks: approvalLinksOf(config) };
  if (config.twilio) {
    channels.sms = {
      from: config.twilio.phoneNumber,
      sender: createTwilioSmsSender({
        accountSid: config.twilio.accountSid,
        authToken: config.twilio.authToken,
        from: config.twilio.phoneNumber,
        apiUrl: config.twilioApiUrl,
        statusCallbackUrl: smsStatusCallbackUrl(config.publicUrl),
      }),
      // The auth token is the server secret the offer links' codes are made with: it is never in the
      // database, it is there whenever an SMS can go out, and whoever holds it can already sign
      // Twilio's webhooks (text ACCEPT as any technician), so a link gives them nothing more.
      links: { publicUrl: config.publicUrl, secret: config.twilio.authToken },
    };
  }
  if (config.smtpUrl) {
    const smtp = parseSmtpUrl(config.smtpUrl);
    if (smtp.auth === 'oauth2' && !tokens) throw new Error('SMTP_URL has auth=oauth2 but no token manager was given');
    const oauth = smtp.auth === 'oauth2' && tokens ? { user: smtp.user, tokens } : undefined;
    channels.email = { from: config.mailFrom, transport: createSmtpMailTransport({ smtpUrl: smtp.url, from: config.mailFrom, oauth }) };
  }
  return channels;
}
