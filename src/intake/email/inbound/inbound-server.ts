import { readFile } from 'node:fs/promises';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerError, type SMTPServerSession } from 'smtp-server';
import { allowList } from '../../../config/inbound-url.js';
import type { MailInboundConfig } from '../../../config/index.js';
import { scrub, type Logger } from '../../../log.js';
import type { ReceiveOutcome } from '../receive-types.js';

/**
 * The adapter between an MTA and the pushed intake: smtp-server speaking LMTP (RFC 2033) or SMTP.
 * It checks who connects (the allow-list), whom the mail is for (the domains), and how large it is,
 * then answers each message with what became of it:
 * - 250 only once what it made is committed (the MTA may then delete its copy);
 * - 451 4.3.0 when it was not (the database away), and at the latest `answerWithinMs` after the end
 *   of DATA, so that the MTA retries instead of timing out (its retry is then the first delivery
 *   or, if the store finished meanwhile, a duplicate answered 250);
 * - 552 5.3.4 over the size limit, 550 for a recipient outside the domains.
 * In LMTP each recipient gets its own answer; the message is stored once whatever the number of
 * recipients (it is one email to the desk), so each gets the same one (smtp-server repeats it).
 */
export interface InboundServerOptions {
  config: MailInboundConfig;
  /** `envelopeTo`: the recipients the MTA named (RCPT TO), lower-cased: a Bcc shows only there. */
  deliver(raw: Buffer, envelopeTo: string[]): Promise<ReceiveOutcome>;
  /** Told of every answer to a message: an outcome of the intake, or why it was refused. */
  counted(outcome: ReceiveOutcome['outcome'] | 'deferred' | 'too_large'): void;
  log: Logger;
  /** The contract's bound is 30 s after DATA; answering a little sooner leaves room for the network. */
  answerWithinMs?: number;
}

export interface InboundServer {
  port: number;
  /** Stops listening; the connections left get `closeMs` to finish their message. */
  close(): Promise<void>;
}

const ANSWER_WITHIN_MS = 25_000;
/** How long a stop waits for the MTA's open connections (a message in flight) before cutting them. */
const CLOSE_MS = 5_000;

export async function startInboundServer(o: InboundServerOptions): Promise<InboundServer> {
  const { spec, domains, maxSize } = o.config;
  const allowed = allowList(spec.allow);
  const tls = spec.tls && { cert: await readFile(spec.tls.certFile), key: await readFile(spec.tls.keyFile) };
  const answerWithin = o.answerWithinMs ?? ANSWER_WITHIN_MS;

  const server = new SMTPServer({
    lmtp: spec.protocol === 'lmtp',
    size: maxSize,
    // smtp-server answers 552 5.3.4 itself, whatever onData says, for a message over `size`.
    rejectOversized: true,
    hideENHANCEDSTATUSCODES: false,
    // The sending MTA is authenticated by its address (allow=), never by a password over this link.
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ? { cert: tls.cert, key: tls.key } : {}),
    // The peer's name is not used for anything; a reverse lookup would only add its latency.
    disableReverseLookup: true,
    logger: false,
    closeTimeout: CLOSE_MS,
    onConnect(session, callback) {
      if (isAllowed(allowed, session.remoteAddress)) return callback();
      o.log.warn({ inbound: spec.key, client: session.remoteAddress }, 'inbound mail: a client outside allow= was refused');
      callback(smtpError(554, 'this client may not deliver here'));
    },
    onRcptTo(address, _session, callback) {
      if (accepts(domains, address.address)) return callback();
      callback(smtpError(550, 'no such recipient here'));
    },
    onData(stream, session, callback) {
      replyTo(o, stream, session, answerWithin).then(
        (reply) => (reply === null ? callback() : typeof reply === 'string' ? callback(null, reply) : callback(reply)),
        (err: unknown) => callback(smtpError(451, `the message could not be read: ${scrub(String(err))}`)),
      );
    },
  });
  server.on('error', (err) => o.log.warn({ inbound: spec.key, err: scrub(err.message) }, 'inbound mail: server error'));

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(spec.port, spec.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  const port = address !== null && typeof address === 'object' ? address.port : spec.port;
  o.log.info({ inbound: spec.key, port, protocol: spec.protocol, tls: tls !== null, allow: spec.allow }, 'listening for pushed mail');
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The reply to one message; null when it went over the limit (smtp-server answers 552 itself). */
async function replyTo(
  o: InboundServerOptions,
  stream: SMTPServerDataStream,
  session: SMTPServerSession,
  within: number,
): Promise<string | SMTPServerError | null> {
  const raw = await receive(stream, o.config.maxSize);
  if (raw === null) {
    o.counted('too_large');
    return null;
  }
  return answer(o, raw, session, within);
}

/** The message's bytes; null when it went over the limit (the rest is read and thrown away). */
async function receive(stream: SMTPServerDataStream, maxSize: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    if (!Buffer.isBuffer(chunk)) continue;
    size += chunk.length;
    if (size <= maxSize) chunks.push(chunk);
  }
  return stream.sizeExceeded || size > maxSize ? null : Buffer.concat(chunks, size);
}

/** The reply to one message: the 250 text once committed, or the error to answer with. */
async function answer(o: InboundServerOptions, raw: Buffer, session: SMTPServerSession, within: number): Promise<string | SMTPServerError> {
  const stored = o.deliver(
    raw,
    session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()),
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(resolve, within, 'late');
  });
  try {
    const outcome = await Promise.race([stored, late]);
    if (outcome === 'late') {
      // The store goes on by itself and finishes or fails; the MTA's retry finds out which.
      stored.then(
        (done) =>
          o.log.info({ inbound: o.config.spec.key, session: session.id, outcome: done.outcome }, 'inbound mail stored after its 451'),
        () => {},
      );
      o.counted('deferred');
      o.log.warn({ inbound: o.config.spec.key, session: session.id, ms: within }, 'inbound mail: the store did not answer in time: 451');
      return smtpError(451, 'the desk is busy, try again later');
    }
    o.counted(outcome.outcome);
    return `stored (${describe(outcome)})`;
  } catch (err) {
    o.counted('deferred');
    o.log.warn({ inbound: o.config.spec.key, session: session.id, err: scrub(String(err)) }, 'inbound mail not stored: 451');
    return smtpError(451, 'the desk cannot store mail right now, try again later');
  } finally {
    clearTimeout(timer);
  }
}

/** What the MTA's log will say of the message: enough to follow it, no address. */
function describe(outcome: ReceiveOutcome): string {
  return outcome.outcome === 'ticket' ? `ticket ${outcome.number}` : outcome.outcome;
}

function smtpError(responseCode: number, message: string): SMTPServerError {
  return Object.assign(new Error(message), { responseCode });
}

/** smtp-server gives IPv4 peers of a dual-stack socket without their ::ffff: prefix already. */
function isAllowed(list: ReturnType<typeof allowList>, address: string): boolean {
  return list.check(address, address.includes(':') ? 'ipv6' : 'ipv4');
}

/** A recipient is ours when its address, or its domain, is listed (lower-case, as configured). */
function accepts(domains: readonly string[], address: string): boolean {
  const bare = address.toLowerCase();
  const domain = bare.slice(bare.lastIndexOf('@') + 1);
  return domains.includes(bare) || domains.includes(domain);
}
