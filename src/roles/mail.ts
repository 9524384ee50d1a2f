import { startMailInbound } from '../intake/email/inbound/start-inbound.js';
import { startMailReaders } from '../intake/email/worker.js';
import type { RoleContext, RoleStopper } from './types.js';

type Starter = (ctx: RoleContext) => Promise<RoleStopper>;

/** The mail intake: one reader per mailbox of IMAP_URL, and the listener of MAIL_INBOUND_URL. */
const READERS: Starter[] = [startMailReaders, startMailInbound];

export async function startMail(ctx: RoleContext): Promise<RoleStopper> {
  const stops: RoleStopper[] = [];
  for (const start of READERS) stops.push(await start(ctx));
  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}
