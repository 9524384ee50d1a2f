import type { Sequelize, Transaction } from 'sequelize';
import { defineModels } from './models/index.js';
import { createCallerRepository } from './caller-repository.js';
import { createEmailRepository } from './email-repository.js';
import { createMailboxRepository } from './mailbox-repository.js';
import { createCategoryRepository } from './category-repository.js';
import { createMessageRepository } from './message-repository.js';
import { createOutageRepository } from './outage-repository.js';
import { createOutboxRepository } from './outbox-repository.js';
import { createQuarantineRepository } from './quarantine-repository.js';
import { createRequesterRepository } from './requester-repository.js';
import { createStaffingQueries } from './staffing-queries.js';
import { createStatsRepository } from './stats-repository.js';
import { createTechnicianRepository } from './technician-repository.js';
import { createTicketRepository } from './ticket-repository.js';
import { createTokenRepository } from './token-repository.js';

/** The repositories over one database. They return plain objects, never ORM instances. */
export function createStore(sequelize: Sequelize) {
  const models = defineModels(sequelize);
  return {
    sequelize,
    tickets: createTicketRepository(sequelize, models),
    requesters: createRequesterRepository(models),
    technicians: createTechnicianRepository(sequelize, models),
    tokens: createTokenRepository(models),
    categories: createCategoryRepository(models),
    messages: createMessageRepository(sequelize, models),
    outages: createOutageRepository(models),
    outbox: createOutboxRepository(models),
    quarantine: createQuarantineRepository(models),
    stats: createStatsRepository(sequelize),
    staffing: createStaffingQueries(sequelize),
    callers: createCallerRepository(sequelize),
    email: createEmailRepository(sequelize),
    mailboxes: createMailboxRepository(sequelize),
    models,
    transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
      return sequelize.transaction(fn);
    },
  };
}

export type Store = ReturnType<typeof createStore>;
export type { Transaction };
