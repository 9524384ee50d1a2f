import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, chmod, chown, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger, type Logger } from '../../src/log.js';
import { ensureCommand } from '../../src/runtime/install.js';
import { freePort } from '../../src/runtime/ports.js';
import { commandLine, isAlive, readPidFile, terminate } from '../../src/runtime/processes.js';

export const IMAP_HOST = '127.0.0.1';
export const IMAP_PASSWORD = 'secret';
export const IMAP_USERS = ['helpdesk', 'urgent', 'support'];
// Mail belongs to nobody:nogroup, as Dovecot's imap processes run with mail_uid = nobody.
const MAIL_ID = 65534;
const HINT = 'Install it (Debian/Ubuntu: apt-get install dovecot-imapd; macOS: brew install dovecot) to run the integration tests.';

export interface DovecotOptions {
  /** Fixed port; by default a free one, kept across restart(). */
  port?: number;
  users?: string[];
  log?: Logger;
  /**
   * Also accept OAuth2 logins (XOAUTH2, OAUTHBEARER) whose bearer token this RFC 7662 endpoint says
   * is active, for the user it names. Passwords keep working beside it.
   */
  oauth2IntrospectionUrl?: string;
}

export interface RunningDovecot {
  host: string;
  port: number;
  /** Maildirs are `<mailRoot>/<user>`; see deliver(). */
  mailRoot: string;
  stop(): Promise<void>;
  /** Stops and starts again on the same port with the same mail, dropping every connection. */
  restart(): Promise<void>;
  /** `doveadm kick`: drops the user's live sessions, so that its client must log in again. */
  kick(user: string): Promise<void>;
}

/** Starts a standalone Dovecot (IMAP only, no TLS, PLAIN passwords) with everything under `dir`. */
export async function startDovecot(dir: string, opts: DovecotOptions = {}): Promise<RunningDovecot> {
  const log = opts.log ?? silentLogger();
  const bin = await ensureCommand('dovecot', 'dovecot-imapd', log, HINT);
  const root = path.resolve(dir);
  const mailRoot = path.join(root, 'mail');
  const port = opts.port ?? (await freePort(IMAP_HOST));
  // Dovecot's unprivileged processes must reach the mail through this directory.
  await mkdir(root, { recursive: true });
  await chmod(root, 0o755);
  await mkdir(mailRoot, { recursive: true });
  await ownAsMail(mailRoot);
  const users = opts.users ?? IMAP_USERS;
  await writeFile(path.join(root, 'users'), users.map((u) => `${u}:{PLAIN}${IMAP_PASSWORD}\n`).join(''), { mode: 0o644 });
  const conf = path.join(root, 'dovecot.conf');
  await writeFile(conf, config(root, port, opts.oauth2IntrospectionUrl));
  if (opts.oauth2IntrospectionUrl) {
    await writeFile(path.join(root, 'oauth2.conf.ext'), oauth2Config(opts.oauth2IntrospectionUrl), { mode: 0o644 });
  }

  let child = await launch(bin, conf, root, port);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  return {
    host: IMAP_HOST,
    port,
    mailRoot,
    stop,
    restart: async () => {
      await stop();
      child = await launch(bin, conf, root, port);
    },
    kick: async (user) => {
      const doveadm = await ensureCommand('doveadm', 'dovecot-core', log, HINT);
      await new Promise<void>((resolve, reject) => {
        const run = spawn(doveadm, ['-c', conf, 'kick', user], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        run.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        run.on('error', reject);
        // Exit code 68 (EX_NOUSER): nobody of that name was connected.
        run.on('exit', (code) =>
          code === 0 || code === 68 ? resolve() : reject(new Error(`doveadm kick ${user}: ${code} ${stderr.trim()}`)),
        );
      });
    },
  };
}

/** Dovecot's oauth2 passdb (2.3) asking the token server's introspection endpoint for each login. */
function oauth2Config(introspectionUrl: string): string {
  return `introspection_mode = post
introspection_url = ${introspectionUrl}
force_introspection = yes
username_attribute = username
username_format = %n
active_attribute = active
active_value = true
timeout_msecs = 5000
`;
}

function config(root: string, port: number, oauth2IntrospectionUrl?: string): string {
  return `# Generated for the tests: a standalone Dovecot, no system configuration.
base_dir = ${root}/run
state_dir = ${root}/state
log_path = ${root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login${oauth2IntrospectionUrl ? ' xoauth2 oauthbearer' : ''}
mail_location = maildir:${root}/mail/%n
mail_uid = ${MAIL_ID}
mail_gid = ${MAIL_ID}
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = username_format=%n ${root}/users${oauth2IntrospectionUrl ? '\n  mechanisms = plain login' : ''}
}
${
  oauth2IntrospectionUrl
    ? `passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${root}/oauth2.conf.ext
}
`
    : ''
}userdb {
  driver = static
  args = uid=${MAIL_ID} gid=${MAIL_ID} home=${root}/mail/%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
}

async function launch(bin: string, conf: string, root: string, port: number): Promise<ChildProcess> {
  // A Dovecot left by a killed test run would hold the port and base_dir.
  const stale = await readPidFile(path.join(root, 'run', 'master.pid'));
  if (stale !== undefined && (await isAlive(stale)) && ((await commandLine(stale)) ?? '').includes('dovecot')) {
    await terminate(stale, ['SIGTERM'], 5_000);
  }
  const child = spawn(bin, ['-F', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (await greets(port)) return child;
    await sleep(25);
  }
  child.kill('SIGKILL');
  const logText = await readFile(path.join(root, 'dovecot.log'), 'utf8').catch(() => '');
  throw new Error(`dovecot did not greet on port ${port}: ${`${stderr}\n${logText}`.trim().split('\n').slice(-5).join(' | ')}`);
}

/** True once the port answers with an IMAP `* OK` greeting (the port alone opens earlier). */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: IMAP_HOST, port });
    let received = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      if (received.includes('\r\n')) done(received.startsWith('* OK'));
    });
  });
}

let sequence = 0;

/**
 * Delivers a message as a mail server would: written under tmp/, then renamed into new/.
 * `mailbox` other than INBOX must exist (createMailbox). Returns the file name in new/.
 */
export async function deliver(mailRoot: string, user: string, raw: Buffer | string, mailbox = 'INBOX'): Promise<string> {
  const box = await createMailbox(mailRoot, user, mailbox);
  const now = Date.now();
  const name = `${Math.floor(now / 1000)}.M${(now % 1000) * 1000}P${process.pid}Q${++sequence}.${hostname()}`;
  const tmp = path.join(box, 'tmp', name);
  await writeFile(tmp, raw);
  await ownAsMail(tmp);
  await rename(tmp, path.join(box, 'new', name));
  return name;
}

/** Creates (if missing) a user's maildir, or one of its folders (`Support`, `Support.Urgent`), and returns its path. */
export async function createMailbox(mailRoot: string, user: string, mailbox = 'INBOX'): Promise<string> {
  const home = path.join(mailRoot, user);
  const box = mailbox.toUpperCase() === 'INBOX' ? home : path.join(home, `.${mailbox}`);
  for (const d of [home, box, ...['cur', 'new', 'tmp'].map((sub) => path.join(box, sub))]) {
    await mkdir(d, { recursive: true });
    await ownAsMail(d);
  }
  if (box !== home) {
    await writeFile(path.join(box, 'maildirfolder'), '');
    await ownAsMail(path.join(box, 'maildirfolder'));
  }
  return box;
}

/**
 * Adds an IMAP user (password IMAP_PASSWORD) to a running Dovecot and creates its INBOX, so that a
 * test file owns a mailbox no other file touches. Dovecot re-reads its passwd-file when it changes.
 */
export async function createUser(mailRoot: string, user = `u${randomBytes(5).toString('hex')}`): Promise<string> {
  await appendFile(path.join(path.dirname(mailRoot), 'users'), `${user}:{PLAIN}${IMAP_PASSWORD}\n`);
  await createMailbox(mailRoot, user);
  return user;
}

async function ownAsMail(file: string): Promise<void> {
  if (process.getuid?.() === 0) await chown(file, MAIL_ID, MAIL_ID);
}
