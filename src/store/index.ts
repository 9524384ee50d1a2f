import type { Sequelize } from 'sequelize';
import type { Logger } from '../log.js';
import type { Db } from './handle.js';
import { defineModels, type Models } from './models/index.js';
import { createCallerRepository } from './caller-repository.js';
import { createEmailRepository } from './email-repository.js';
import { createMailboxRepository } from './mailbox-repository.js';
import { createCategoryRepository } from './category-repository.js';
import { createMessageRepository } from './message-repository.js';
import { createOutageRepository } from './outage-repository.js';
import { createOutboxRepository } from './outbox-repository.js';
import { createQuarantineRepository } from './quarantine-repository.js';
import { createRequesterRepository } from './requester-repository.js';
import { createRoutingRepository } from './routing-repository.js';
import { createRulesRepository } from './rules-repository.js';
import { createStaffingQueries } from './staffing-queries.js';
import { createStatsRepository } from './stats-repository.js';
import { createTechnicianRepository } from './technician-repository.js';
import { createTicketRepository } from './ticket-repository.js';
import { createTimerRepository } from './timer-repository.js';
import { createTokenRepository } from './token-repository.js';
import { createTicketWriter } from './ticket-writer.js';
import { createEmailIntakeRepository } from './email-intake-repository.js';
import { createMailboxLockRepository } from './mailbox-lock-repository.js';
import { createAttachmentLinkRepository } from './attachment-link-repository.js';
import { createSatisfactionRepository } from './satisfaction-repository.js';
import { createTicketHistoryRepository } from './ticket-history-repository.js';
import { createOutboxDeliveries } from './outbox-deliveries.js';
import { createDeadLetters } from './dead-letters.js';
import { createNotificationFacts } from './notification-facts.js';
import { createSmsDeliveryStatus } from './sms-delivery-status.js';
import { createOutboxListening } from './outbox-listener.js';
import { createTicketEventFeed } from './ticket-event-feed.js';
import { createSessionRepository } from './session-repository.js';
import { createOfferLinkRepository } from './offer-link-repository.js';
import { createQueueQuery } from './queue-query.js';
import { createFilteredMailRepository } from './filtered-mail-repository.js';
import { createProblemRepository } from './problem-repository.js';
import { createOAuthTokenRepository } from './oauth-token-repository.js';
import { createSuggestionRepository } from './suggestion-repository.js';
import { createArticleRepository } from './article-repository.js';
import { createArticleSuggestionRepository } from './article-suggestion-repository.js';
import { createCatalogRepository } from './catalog-repository.js';
import { createApprovalRepository } from './approval-repository.js';

/** Every repository on one handle. Building them is a few closures: a transaction builds its own. */
function repositories(db: Db) {
  return {
    tickets: createTicketRepository(db),
    /** The one writer of a ticket's change (store/ticket-writer.ts). */
    writer: createTicketWriter(db),
    requesters: createRequesterRepository(db),
    technicians: createTechnicianRepository(db),
    tokens: createTokenRepository(db),
    categories: createCategoryRepository(db),
    messages: createMessageRepository(db),
    outages: createOutageRepository(db),
    outbox: createOutboxRepository(db),
    quarantine: createQuarantineRepository(db),
    stats: createStatsRepository(db),
    staffing: createStaffingQueries(db),
    callers: createCallerRepository(db),
    email: createEmailRepository(db),
    mailboxes: createMailboxRepository(db),
    /** Routing's reads and its lock-and-offer (store/routing-repository.ts). */
    routing: createRoutingRepository(db),
    /** What routing's timers are planned from. */
    timers: createTimerRepository(db),
    /** The email planner's looks at a whole batch (email-intake-repository.ts). */
    emailIntake: createEmailIntakeRepository(db),
    /** One reader per mailbox across processes: advisory locks on connections of their own. */
    mailboxLocks: createMailboxLockRepository(db),
    /** Media linked by URL (MMS, recordings). */
    attachmentLinks: createAttachmentLinkRepository(db),
    /** Which closed ticket a bare 1–5 rates. */
    surveys: createSatisfactionRepository(db),
    history: createTicketHistoryRepository(db),
    /** Every move of an outbox row after its insert (claim, lease, sent, retry, failed, requeue). */
    deliveries: createOutboxDeliveries(db),
    deadLetters: createDeadLetters(db),
    notificationFacts: createNotificationFacts(db),
    smsStatus: createSmsDeliveryStatus(db),
    outboxListening: createOutboxListening(db),
    rules: createRulesRepository(db),
    /** The event log as a live feed: the console's stream (api/stream). */
    ticketEventFeed: createTicketEventFeed(db),
    /** The console's sign-ins (cookie sessions). */
    sessions: createSessionRepository(db),
    /** The offer links' single use (the technicians' phones, migration 062). */
    offerLinks: createOfferLinkRepository(db),
    /** The console's queue: open tickets by their next SLA deadline (migration 063). */
    queue: createQueueQuery(db),
    /** Mail that opened no ticket and landed on none, with why (migration 070). */
    filteredMail: createFilteredMailRepository(db),
    /** Sealed OAuth2 refresh tokens of `helpdesk mailbox login` (migration 071). */
    oauthTokens: createOAuthTokenRepository(db),
    /** Problems, their incidents, and the resolutions a resolved problem owes them (migration 083). */
    problems: createProblemRepository(db),
    /** Open tickets that look like one cause, and the storms alerted once (migration 086). */
    suggestions: createSuggestionRepository(db),
    /** The knowledge base's articles and their search (migration 080). */
    articles: createArticleRepository(db),
    /** The articles suggested with a ticket's acknowledgement, and their links' single use (migration 081). */
    articleSuggestions: createArticleSuggestionRepository(db),
    /** The service catalog: request types, their fields, approvers and tasks (migration 090). */
    catalog: createCatalogRepository(db),
    /** Service requests' items, fields and approvals, and the requesters' managers (migration 091). */
    approvals: createApprovalRepository(db),
  };
}

export type Repositories = ReturnType<typeof repositories>;

/**
 * The repositories over one database, and the unit of work. Outside a transaction each statement
 * takes whichever pooled connection is free; `transaction(work)` hands `work` a Store whose
 * repositories all run on that transaction's connection.
 */
export interface Store extends Repositories {
  /**
   * Runs `work` in one transaction, committed when it resolves and rolled back when it throws. On a
   * Store that is already a transaction's, `work` joins it: a use case that opens its own unit of
   * work writes inside the caller's when given the caller's Store.
   */
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` once the outermost transaction commits (never if it rolls back); outside a
   * transaction, at once. For what must not be heard before the change is visible: the listeners
   * that queue routing, metrics.
   */
  afterCommit(fn: () => void): void;
}

/** The root Store, with what only the process that opened it may do. */
export interface OpenStore extends Store {
  /** Is the database answering? For /ready. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export function createStore(sequelize: Sequelize, log?: Logger): OpenStore {
  const models = defineModels(sequelize);
  const root = repositories({ sequelize, models, tx: undefined });
  const store: OpenStore = {
    ...root,
    async transaction(work) {
      const committed: (() => void)[] = [];
      const result = await sequelize.transaction((tx) => work(bound(sequelize, models, tx, committed)));
      runHooks(committed, log);
      return result;
    },
    afterCommit(fn) {
      runHooks([fn], log);
    },
    async ping() {
      try {
        await sequelize.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    close: () => sequelize.close(),
  };
  return store;
}

function bound(sequelize: Sequelize, models: Models, tx: Db['tx'], committed: (() => void)[]): Store {
  const store: Store = {
    ...repositories({ sequelize, models, tx }),
    transaction: (work) => work(store),
    afterCommit: (fn) => void committed.push(fn),
  };
  return store;
}

/** A hook that throws is logged and the others still run: the commit has happened either way. */
function runHooks(hooks: readonly (() => void)[], log: Logger | undefined): void {
  for (const hook of hooks) {
    try {
      hook();
    } catch (err) {
      log?.error({ err }, 'an after-commit hook failed');
    }
  }
}
