import { rm, writeFile } from 'node:fs/promises';
import { commandLine, isAlive, readPidFile } from './processes.js';

/**
 * `owner.pid` beside an embedded server's files names the gateway (or CLI command) that runs it,
 * so that another process on the same data dir can tell a live owner, whose server it may use but
 * must not stop, from the leftovers of a killed one.
 */
type Claim = { kind: 'claimed' } | { kind: 'in-use'; owner: number };

/** The live process that runs the server of `ownerFile`, if any (a pid reused by another program does not count). */
export async function liveOwner(ownerFile: string): Promise<number | undefined> {
  const owner = await readPidFile(ownerFile);
  if (owner === undefined || owner === process.pid || !(await isAlive(owner))) return undefined;
  const cmd = (await commandLine(owner)) ?? '';
  return /\bnode\b|tsx|helpdesk/.test(cmd) ? owner : undefined;
}

/** Records this process as the owner, unless a live one holds it. */
export async function claim(ownerFile: string): Promise<Claim> {
  const owner = await liveOwner(ownerFile);
  if (owner !== undefined) return { kind: 'in-use', owner };
  await writeFile(ownerFile, `${process.pid}\n`);
  return { kind: 'claimed' };
}

export async function release(ownerFile: string): Promise<void> {
  if ((await readPidFile(ownerFile)) === process.pid) await rm(ownerFile, { force: true });
}
