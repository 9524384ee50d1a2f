import { startMailReaders } from '../intake/email/worker.js';
import type { RoleContext, RoleStopper } from './types.js';

type Starter = (ctx: RoleContext) => Promise<RoleStopper>;

/** The mail intake: one reader per mailbox of IMAP_URL. */
const READERS: Starter[] = [startMailReaders];

export async function startMail(ctx: RoleContext): Promise<RoleStopper> {
  const stops: RoleStopper[] = [];
  for (const start of READERS) stops.push(await start(ctx));
  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}
