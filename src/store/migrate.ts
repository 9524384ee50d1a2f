import type { Sequelize } from 'sequelize';
import { Umzug, SequelizeStorage } from 'umzug';
import type { Logger } from '../log.js';
import * as initial from './migrations/001-initial.js';
import * as seedCategories from './migrations/002-seed-categories.js';
import * as routingRules from './migrations/010-routing-rules.js';
import * as technicianLoads from './migrations/011-technician-loads.js';
import * as notifyDelivery from './migrations/020-notify-delivery.js';
import * as emailIntake from './migrations/040-email-intake.js';
import * as outboxSuperseded from './migrations/045-outbox-superseded.js';
import * as outageTranslations from './migrations/050-outage-translations.js';
import * as ticketEventNotify from './migrations/060-ticket-event-notify.js';
import * as consoleSessions from './migrations/061-console-sessions.js';
import * as offerLinks from './migrations/062-offer-links.js';
import * as queueIndex from './migrations/063-queue-index.js';
import * as statsIndex from './migrations/065-stats.js';
import * as outageTickets from './migrations/066-outage-tickets.js';
import * as filteredMail from './migrations/070-filtered-mail.js';
import * as oauthTokens from './migrations/071-oauth-tokens.js';
import * as articles from './migrations/080-articles.js';
import * as articleSuggestions from './migrations/081-article-suggestions.js';
import * as articleSearchSpeed from './migrations/082-article-search-speed.js';
import * as problems from './migrations/083-problems.js';
import * as resolutionMeasures from './migrations/084-resolution-measures.js';
import * as suggestionsStorms from './migrations/086-suggestions-storms.js';
import * as articleTitleWords from './migrations/088-article-title-words.js';
import * as catalog from './migrations/090-catalog.js';
import * as requests from './migrations/091-requests.js';
import * as statsByType from './migrations/092-stats-by-type.js';
import * as requestClocks from './migrations/093-request-clocks.js';
import * as mootApprovals from './migrations/094-moot-approvals.js';
import type { MigrationContext, RunSql } from './migrations/types.js';

interface MigrationModule {
  up(ctx: MigrationContext): Promise<void>;
  down(ctx: MigrationContext): Promise<void>;
}

// Listed, not globbed: the same list works under tsx, vitest and a bundler.
const MIGRATIONS: Array<[string, MigrationModule]> = [
  ['001-initial', initial],
  ['002-seed-categories', seedCategories],
  ['010-routing-rules', routingRules],
  ['011-technician-loads', technicianLoads],
  ['020-notify-delivery', notifyDelivery],
  ['040-email-intake', emailIntake],
  ['045-outbox-superseded', outboxSuperseded],
  ['050-outage-translations', outageTranslations],
  ['060-ticket-event-notify', ticketEventNotify],
  ['061-console-sessions', consoleSessions],
  ['062-offer-links', offerLinks],
  ['063-queue-index', queueIndex],
  ['065-stats', statsIndex],
  ['066-outage-tickets', outageTickets],
  ['070-filtered-mail', filteredMail],
  ['071-oauth-tokens', oauthTokens],
  ['080-articles', articles],
  ['081-article-suggestions', articleSuggestions],
  ['082-article-search-speed', articleSearchSpeed],
  ['083-problems', problems],
  ['084-resolution-measures', resolutionMeasures],
  ['086-suggestions-storms', suggestionsStorms],
  ['088-article-title-words', articleTitleWords],
  ['090-catalog', catalog],
  ['091-requests', requests],
  ['092-stats-by-type', statsByType],
  ['093-request-clocks', requestClocks],
  ['094-moot-approvals', mootApprovals],
];

// Any constant shared by every gateway process: several processes starting at once on one database
// would otherwise race to apply the same migration.
const MIGRATION_LOCK = 72_010_001;

export async function migrate(sequelize: Sequelize, log?: Logger): Promise<string[]> {
  const run: RunSql = (sql) => sequelize.query(sql);
  const umzug = new Umzug<RunSql>({
    migrations: MIGRATIONS.map(([name, module]) => ({
      name,
      up: ({ context }) => module.up({ context }),
      down: ({ context }) => module.down({ context }),
    })),
    // A function here is a factory of the context, so wrap ours.
    context: () => run,
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: undefined,
  });
  // The lock is held by one pooled connection's transaction for as long as the migrations run on
  // others; a second process waits here, then finds nothing left to apply.
  const applied = await sequelize.transaction(async (transaction) => {
    await sequelize.query('SELECT pg_advisory_xact_lock($key)', { bind: { key: MIGRATION_LOCK }, transaction });
    return umzug.up();
  });
  const names = applied.map((m) => m.name);
  if (names.length > 0) log?.info({ migrations: names }, 'database migrated');
  return names;
}
