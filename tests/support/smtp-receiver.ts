import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerError } from 'smtp-server';

/** A loopback SMTP server for tests: collects what it receives and refuses on demand. */

export interface ReceivedMail {
  raw: string;
  parsed: ParsedMail;
  envelope: { from: string | undefined; to: string[] };
  /** The user that authenticated, when the client did. */
  user: string | undefined;
}

export type RejectStage = 'mail' | 'rcpt' | 'data';

export interface Rejection {
  stage: RejectStage;
  /** SMTP reply code, e.g. 451 (try later) or 550 (mailbox unavailable). */
  code: number;
  message?: string;
  /** For `rcpt`: only this recipient is refused; others pass and do not use up the rejection. */
  recipient?: string;
}

export interface SmtpReceiver {
  /** `smtp://127.0.0.1:<port>`, usable as SMTP_URL. */
  url: string;
  messages: ReceivedMail[];
  /** The next `count` (default 1) commands of that stage are refused with `code`. */
  rejectNext(rejection: Rejection, count?: number): void;
  /** Resolves once `n` messages in total have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  stop(): Promise<void>;
}

const refusal = (code: number, message: string | undefined): SMTPServerError =>
  Object.assign(new Error(message ?? (code >= 500 ? 'Requested action not taken' : 'Try again later')), {
    responseCode: code,
  });

export interface SmtpReceiverOptions {
  user?: string;
  password?: string;
  /**
   * Require XOAUTH2 (as Exchange Online and Gmail do): a login passes when this names the user the
   * bearer token stands for (the token server's introspection).
   */
  oauth2?: { introspect(token: string): string | null };
  /** Close each connection once its message is accepted, so that every send logs in afresh. */
  closeAfterEachMessage?: boolean;
}

export async function startSmtpReceiver(options: SmtpReceiverOptions = {}): Promise<SmtpReceiver> {
  const messages: ReceivedMail[] = [];
  const rejections: Rejection[] = [];
  const waiters: { n: number; resolve: (m: ReceivedMail[]) => void }[] = [];

  const take = (stage: RejectStage, recipient?: string): Rejection | undefined => {
    const index = rejections.findIndex(
      (r) => r.stage === stage && (r.recipient === undefined || r.recipient.toLowerCase() === recipient?.toLowerCase()),
    );
    return index < 0 ? undefined : rejections.splice(index, 1)[0];
  };

  const server = new SMTPServer({
    // Plain loopback: no STARTTLS, so nodemailer neither upgrades nor trips over a self-signed certificate.
    disabledCommands: ['STARTTLS'],
    authOptional: !options.oauth2,
    ...(options.oauth2 ? { authMethods: ['XOAUTH2'] } : {}),
    allowInsecureAuth: true,
    logger: false,
    // A client's pooled connection must not hold a test's teardown for the default 30 s.
    closeTimeout: 1_000,
    onAuth(auth, _session, callback) {
      if (options.oauth2) {
        const user = auth.accessToken === undefined ? null : options.oauth2.introspect(auth.accessToken);
        // RFC 7628 §3.2.2's error challenge; the client answers it and gets the 535.
        if (user === null || user !== auth.username) return callback(null, { data: { status: '401', schemes: 'bearer' } });
        return callback(null, { user: auth.username });
      }
      const ok = options.user === undefined || (auth.username === options.user && auth.password === options.password);
      if (!ok) return callback(refusal(535, 'Authentication failed'));
      callback(null, { user: auth.username });
    },
    onMailFrom(_address, _session, callback) {
      const r = take('mail');
      callback(r ? refusal(r.code, r.message) : null);
    },
    onRcptTo(address, _session, callback) {
      const r = take('rcpt', address.address);
      callback(r ? refusal(r.code, r.message) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const r = take('data');
        if (r) return callback(refusal(r.code, r.message));
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            const from = session.envelope.mailFrom;
            messages.push({
              raw,
              parsed,
              envelope: { from: from ? from.address : undefined, to: session.envelope.rcptTo.map((a) => a.address) },
              user: typeof session.user === 'string' ? session.user : undefined,
            });
            for (const w of [...waiters]) {
              if (messages.length >= w.n) {
                waiters.splice(waiters.indexOf(w), 1);
                w.resolve(messages.slice());
              }
            }
            callback();
            if (options.closeAfterEachMessage) setImmediate(() => closeConnections());
          },
          (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
        );
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  const closeConnections = (): void => {
    // smtp-server keeps its sessions in `connections` without a typed accessor.
    const connections: unknown = Reflect.get(server, 'connections');
    if (!(connections instanceof Set)) return;
    for (const c of connections) if (typeof c === 'object' && c !== null && 'close' in c && typeof c.close === 'function') c.close();
  };
  // A client killed mid-session (the crash suite's kill -9) resets its socket: not the test's error.
  server.on('error', () => undefined);

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    rejectNext(rejection, count = 1) {
      for (let i = 0; i < count; i++) rejections.push(rejection);
    },
    waitFor(n, timeoutMs = 5_000) {
      if (messages.length >= n) return Promise.resolve(messages.slice());
      return new Promise((resolve, reject) => {
        const waiter = {
          n,
          resolve: (m: ReceivedMail[]) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`SMTP receiver: ${messages.length} of ${n} messages after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    stop() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
