import type { Config } from '../../../config/index.js';
import { parseMailboxUrl } from '../../../config/mailbox-url.js';
import type { Logger } from '../../../log.js';
import type { Metrics } from '../../../metrics.js';
import type { RoutingProducer } from '../../../routing/producer.js';
import type { TicketDeps } from '../../../tickets/deps.js';
import { mailboxMetrics } from '../mailbox-metrics.js';
import { createMoments } from '../moments.js';
import { createParsePool } from '../parse-pool.js';
import type { ReceiveDeps } from '../receive-types.js';
import { emailSettings, type EmailSettingsOverrides } from '../settings.js';
import { startInboundServer } from './inbound-server.js';
import { createPushedIntake } from './pushed-intake.js';

/**
 * What the inbound listener needs from the process that starts it (the mail role passes its
 * context): declared here so that intake does not reach up to the roles that compose it.
 */
export interface MailInboundContext {
  config: Pick<Config, 'mailInbound' | 'mailFrom' | 'imapUrls' | 'requestAddress'>;
  log: Logger;
  services: {
    tickets: TicketDeps;
    metrics: Pick<Metrics, 'registry'>;
    routing: Pick<RoutingProducer, 'connect'>;
  };
  redisUrl: string;
  /** Where the listener reports into /ready. */
  health: {
    set(name: string, probe: () => Record<string, unknown>): unknown;
    delete(name: string): unknown;
  };
}

export interface MailInboundOptions {
  settings?: EmailSettingsOverrides;
  /** The routing queue's Redis prefix (tests give each their own). */
  routingPrefix?: string;
  answerWithinMs?: number;
}

export interface MailInbound {
  /** The port listened on (the URL's, or the one the system chose for port 0). */
  port: number;
  /** Stops listening, then waits for the rounds in flight. */
  stop(): Promise<void>;
}

/** The mail role's starter: the listener of MAIL_INBOUND_URL, or nothing when it is unset. */
export async function startMailInbound(ctx: MailInboundContext): Promise<() => Promise<void>> {
  const inbound = await listenForPushedMail(ctx);
  return inbound ? inbound.stop : async () => {};
}

export async function listenForPushedMail(ctx: MailInboundContext, options: MailInboundOptions = {}): Promise<MailInbound | null> {
  const { config, log, services } = ctx;
  if (!config.mailInbound) {
    log.info('MAIL_INBOUND_URL unset: no mail pushed by an MTA');
    return null;
  }
  const { spec, domains } = config.mailInbound;
  const from = addressIn(config.mailFrom);
  const receive: ReceiveDeps = {
    tickets: services.tickets,
    settings: emailSettings(options.settings),
    // The desk's own addresses, for loop detection: MAIL_FROM's, the addresses MAIL_INBOUND_DOMAINS
    // names, the mailboxes read by IMAP (the same mail may come both ways) and the request address.
    ourAddresses: [
      ...new Set([
        ...(from ? [from] : []),
        ...(config.requestAddress ? [config.requestAddress] : []),
        ...domains.filter((d) => d.includes('@')),
        ...config.imapUrls.flatMap((url) => parseMailboxUrl(url).addresses),
      ]),
    ],
    ourDomain: from ? from.slice(from.lastIndexOf('@') + 1) : null,
    moments: createMoments(),
    ...(config.requestAddress ? { requestAddress: config.requestAddress } : {}),
    log,
  };
  const parser = createParsePool({ limits: receive.settings.limits, log });
  const intake = createPushedIntake(receive, { key: spec.key, category: null, urgency: null }, parser);
  const metrics = mailboxMetrics(services.metrics.registry);
  const counts = new Map<string, number>();
  let lastDeferredAt: Date | null = null;
  // New tickets go to routing at once, also from a process that runs only the mail role.
  const releaseRouting = services.routing.connect(ctx.redisUrl, options.routingPrefix);
  const server = await startInboundServer({
    config: config.mailInbound,
    deliver: (raw, envelopeTo) => intake.deliver(raw, envelopeTo),
    counted(outcome) {
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
      if (outcome === 'deferred') lastDeferredAt = new Date();
      metrics.messages.inc({ mailbox: spec.key, outcome });
    },
    log,
    ...(options.answerWithinMs === undefined ? {} : { answerWithinMs: options.answerWithinMs }),
  }).catch(async (err: unknown) => {
    await parser.close();
    await releaseRouting();
    throw err;
  });
  const name = `inbound:${spec.key}`;
  ctx.health.set(name, () => ({
    protocol: spec.protocol,
    port: server.port,
    messages: Object.fromEntries(counts),
    lastDeferredAt: lastDeferredAt?.toISOString() ?? null,
  }));
  return {
    port: server.port,
    async stop() {
      // No new message after this; the ones being received get their answer (or are cut after a few
      // seconds, unanswered: the MTA sends them again), then the rounds they started finish.
      await server.close();
      await intake.drain();
      await parser.close();
      ctx.health.delete(name);
      await releaseRouting();
    },
  };
}

/** The bare address of `Name <address>` or `address`, lower-case. */
function addressIn(value: string): string | null {
  const bare = (/<([^<>]+)>/.exec(value)?.[1] ?? value).trim().toLowerCase();
  return /^[^@\s]+@[^@\s]+$/.test(bare) ? bare : null;
}
