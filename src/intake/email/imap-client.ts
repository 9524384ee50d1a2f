import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { MailboxSpec } from '../../config/mailbox-url.js';

type ClientTuning = Omit<ImapFlowOptions, 'host' | 'port' | 'secure' | 'auth' | 'logger'>;

/** The one place an IMAP connection is made from IMAP_URL's parts: the reader's and doctor's alike. */
export function imapClient(spec: MailboxSpec, tuning: ClientTuning = {}): ImapFlow {
  return new ImapFlow({
    host: spec.host,
    port: spec.port,
    secure: spec.secure,
    auth: { user: spec.user, pass: spec.password },
    logger: false,
    ...tuning,
  });
}

export interface MailboxProbe {
  ok: boolean;
  detail: string;
}

/** A login and a look at the folder the reader would read, for `helpdesk doctor`. */
export async function probeMailbox(spec: MailboxSpec, timeoutMs: number): Promise<MailboxProbe> {
  const client = imapClient(spec, { connectionTimeout: timeoutMs, greetingTimeout: timeoutMs });
  // A refused login also comes as an 'error' event; the rejected connect() below says it.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const status = await client.status(spec.path, { messages: true });
    await client.logout();
    if (!status) return { ok: false, detail: `logged in, but cannot open ${spec.path}` };
    return { ok: true, detail: `logged in; ${status.messages ?? 0} messages in ${spec.path}` };
  } catch (err) {
    client.close();
    return { ok: false, detail: imapReason(err) };
  }
}

function imapReason(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'authenticationFailed' in err && err.authenticationFailed) {
    return 'login refused: check the user and password in IMAP_URL';
  }
  const text = typeof err === 'object' && err !== null && 'responseText' in err ? String(err.responseText) : '';
  if (text) return text;
  return err instanceof Error ? err.message || err.name : String(err);
}
