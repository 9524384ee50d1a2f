import { ConfigError, type Config } from '../../config/index.js';
import type { Logger } from '../../log.js';
import type { Metrics } from '../../metrics.js';
import type { RoutingProducer } from '../../routing/producer.js';
import type { Store } from '../../store/index.js';
import type { TicketDeps } from '../../tickets/deps.js';
import type { AccessTokens } from '../../mail/oauth/token-manager.js';
import { startMailboxReader } from './mailbox.js';
import { createParsePool } from './parse-pool.js';
import { mailboxMetrics } from './mailbox-metrics.js';
import { MailboxUrlError, parseMailboxUrl, type MailboxSpec } from '../../config/mailbox-url.js';
import type { ReceiveDeps } from './receive.js';
import { emailSettings, type EmailSettingsOverrides } from './settings.js';
import { createMoments } from './moments.js';

/**
 * The mail role's intake: one reader per mailbox of IMAP_URL, each visible in /ready (its state,
 * backlog and last error under `mailbox:<url without password>`) and in /metrics.
 */
export interface MailReadersOptions {
  settings?: EmailSettingsOverrides;
  /** The routing queue's Redis prefix (tests give each their own). */
  routingPrefix?: string;
}

/**
 * What the readers need from the process that starts them (the mail role passes its context): the
 * interface is declared here so that intake does not reach up to the roles that compose it.
 */
export interface MailReadersContext {
  config: Pick<Config, 'imapUrls' | 'mailFrom' | 'requestAddress'>;
  log: Logger;
  services: {
    store: Store;
    tickets: TicketDeps;
    metrics: Pick<Metrics, 'registry'>;
    routing: Pick<RoutingProducer, 'connect'>;
    /** Access tokens of `auth=oauth2` mailboxes (undefined without OAUTH_*). */
    oauth?: AccessTokens | undefined;
  };
  redisUrl: string;
  /** Where each mailbox reports its state into /ready. */
  health: {
    set(name: string, probe: () => Record<string, unknown>): unknown;
    delete(name: string): unknown;
  };
}

export async function startMailReaders(ctx: MailReadersContext, options: MailReadersOptions = {}): Promise<() => Promise<void>> {
  const { config, log, services } = ctx;
  if (config.imapUrls.length === 0) {
    log.info('IMAP_URL unset: no mail intake');
    return async () => {};
  }
  const specs = await checkedSpecs(ctx, config.imapUrls);
  const settings = emailSettings(options.settings);
  const from = addressIn(config.mailFrom);
  const receive: ReceiveDeps = {
    tickets: services.tickets,
    settings,
    // The request address is the desk's too: mail from it is our own, and it never follows a ticket.
    ourAddresses: [
      ...new Set([
        ...(from ? [from] : []),
        ...specs.flatMap((s) => s.addresses),
        ...(config.requestAddress ? [config.requestAddress] : []),
      ]),
    ],
    ourDomain: from ? from.slice(from.lastIndexOf('@') + 1) : null,
    moments: createMoments(),
    ...(config.requestAddress ? { requestAddress: config.requestAddress } : {}),
    log,
  };
  const metrics = mailboxMetrics(services.metrics.registry);
  // New tickets go to routing at once, also from a process that runs only the mail role.
  const releaseRouting = services.routing.connect(ctx.redisUrl, options.routingPrefix);
  // One pool for every mailbox of the role: parsing is CPU work, and the cores are the bound.
  const parser = createParsePool({ limits: settings.limits, log });
  const readers = specs.map((spec) => {
    const reader = startMailboxReader({ spec, receive, reader: parser, metrics, log, tokens: services.oauth });
    ctx.health.set(`mailbox:${spec.key}`, () => ({ ...reader.status() }));
    return { spec, reader };
  });
  return async () => {
    await Promise.all(readers.map(({ reader }) => reader.stop()));
    for (const { spec } of readers) ctx.health.delete(`mailbox:${spec.key}`);
    await parser.close();
    await releaseRouting();
  };
}

/** Every URL parsed (a bad one stops the start, naming IMAP_URL); an unknown default category is dropped with an error. */
async function checkedSpecs(ctx: MailReadersContext, urls: readonly string[]): Promise<MailboxSpec[]> {
  const specs: MailboxSpec[] = [];
  for (const url of urls) {
    let spec: MailboxSpec;
    try {
      spec = parseMailboxUrl(url);
    } catch (err) {
      throw new ConfigError('IMAP_URL', err instanceof MailboxUrlError ? err.message : String(err));
    }
    if (specs.some((s) => s.key === spec.key)) throw new ConfigError('IMAP_URL', `${spec.key} is listed twice`);
    if (spec.category !== null && !(await ctx.services.store.categories.exists(spec.category))) {
      ctx.log.error({ mailbox: spec.key, category: spec.category }, 'IMAP_URL names an unknown category: its tickets open without one');
      spec = { ...spec, category: null };
    }
    specs.push(spec);
  }
  return specs;
}

/** The bare address of `Name <address>` or `address`, lower-case. */
function addressIn(value: string): string | null {
  const bare = (/<([^<>]+)>/.exec(value)?.[1] ?? value).trim().toLowerCase();
  return /^[^@\s]+@[^@\s]+$/.test(bare) ? bare : null;
}
