import { performance } from 'node:perf_hooks';
import { QueryTypes } from 'sequelize';
import { loadConfig } from '../src/config/index.js';
import { createServices } from '../src/roles/services.js';
import { createSequelize } from '../src/store/db.js';
import { createStore } from '../src/store/index.js';
import { migrate } from '../src/store/migrate.js';
import { alertStorms } from '../src/tickets/storm-watch.js';
import { CANDIDATES, listSuggestions } from '../src/tickets/suggestions.js';
import { groupSuggestions, SUGGESTION_WINDOW_MS } from '../src/rules/suggestions.js';
import { fmt, percentile, type BenchResult } from './types.js';
import { startPostgresAndRedis, withScratch } from './support/scratch.js';

/**
 * GET /api/problems/suggestions over a large backlog (#16): OPEN open tickets spread over 30 days,
 * RECENT of them within the last two hours (more than the CANDIDATES the use case reads, so
 * the bound is what is measured), with subjects drawn from a few dozen causes worded several ways,
 * in 8 categories. Timed: the use case as the route calls it (the indexed read of the window and
 * the pure grouping), ROUNDS times after a warm-up. Baseline, in the same run: counting the open
 * tickets (an index-only scan of the queue's index), the cheapest question about the backlog.
 */
const OPEN = 100_000;
const RECENT = 3_000;
const ROUNDS = 40;
const TARGET_MS = 200;
const TOKEN = 'bench-coordinator-token-0123456789';

const CAUSES = [
  'VPN coupé',
  'Messagerie bloquée',
  'Imprimante du 2e en panne',
  'Wifi du bâtiment B instable',
  'Mot de passe expiré',
  'Teams ne démarre plus',
  'Lecteur réseau H: introuvable',
  'Écran noir au démarrage',
  'Badge refusé à l’entrée',
  'ERP très lent',
  'Outlook plante à l’ouverture',
  'Scanner hors ligne',
  'Téléphone IP sans tonalité',
  'Accès SharePoint refusé',
  'Clavier sans fil déconnecté',
  'Compte verrouillé',
];
const WORDS = ['ce matin', 'depuis hier', 'urgent', 'au siège', 'pour tout le service', 'encore', 'à nouveau', 'bureau 12'];
const CATEGORIES = ['network', 'email', 'printing', 'accounts', 'hardware', 'software', 'security', 'access'];
const list = (values: readonly string[]) => `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]`;

export async function run(): Promise<BenchResult> {
  return withScratch('suggestions', async (scratch) => {
    const { log, stops } = scratch;
    const { pg, redisServer } = await startPostgresAndRedis(scratch);
    const config = loadConfig({
      DATABASE_URL: pg.url,
      REDIS_URL: redisServer.url,
      HELPDESK_API_TOKEN: TOKEN,
      HELPDESK_BUSINESS_HOURS: 'always',
      HELPDESK_COORDINATOR_EMAIL: 'coordination@desk.example',
    });
    const sequelize = createSequelize({ url: pg.url, poolMax: 5 });
    stops.push(() => sequelize.close());
    await migrate(sequelize);
    const services = createServices(config, createStore(sequelize, log), log);

    const seeded = performance.now();
    await sequelize.transaction(async (transaction) => {
      const q = (sql: string) => sequelize.query(sql, { transaction });
      await q('SET LOCAL synchronous_commit = off');
      await q('SELECT setseed(0.16)');
      await q(
        `INSERT INTO requesters (id, name, emails) VALUES ('00000000-0000-4000-8000-000000000001', 'Bench', ARRAY['bench@corp.example'])`,
      );
      await q(`
        INSERT INTO tickets (channel, status, priority, impact, urgency, category, tier, subject, description, requester_id,
                             respond_by, resolve_by, created_at, updated_at)
        SELECT 'email', (ARRAY['new', 'assigned', 'in_progress', 'pending'])[1 + g % 4], 'P3', 'medium', 'medium',
               (${list(CATEGORIES)})[1 + (g / 16) % 8],
               1, (${list(CAUSES)})[1 + g % ${CAUSES.length}] || ' ' || (${list(WORDS)})[1 + (g * 7) % ${WORDS.length}],
               'Bonjour, ' || (${list(CAUSES)})[1 + g % ${CAUSES.length}] || ', merci de regarder. Poste ' || g,
               '00000000-0000-4000-8000-000000000001', created + interval '1 hour', created + interval '1 day', created, created
          FROM (SELECT g, CASE WHEN g <= ${RECENT} THEN now() - random() * interval '110 minutes'
                               ELSE now() - interval '2 hours' - random() * interval '30 days' END AS created
                  FROM generate_series(1, ${OPEN}) g) s`);
    });
    await sequelize.query('ANALYZE tickets');
    const seedSeconds = (performance.now() - seeded) / 1000;

    const countOpen = () =>
      sequelize.query(`SELECT count(*) FROM tickets WHERE status IN ('new', 'assigned', 'in_progress', 'pending')`, {
        type: QueryTypes.SELECT,
      });
    const suggest = () => listSuggestions(services.tickets);
    const since = new Date(Date.now() - SUGGESTION_WINDOW_MS);
    const read = () => services.store.suggestions.recentOpen(since, CANDIDATES);
    const candidates = await read();
    const time = async (work: () => Promise<unknown>) => {
      const started = performance.now();
      await work();
      return performance.now() - started;
    };
    for (let i = 0; i < 5; i++) await Promise.all([suggest(), countOpen()]);
    const suggestMs: number[] = [];
    const baselineMs: number[] = [];
    const readMs: number[] = [];
    const groupMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      suggestMs.push(await time(suggest));
      baselineMs.push(await time(countOpen));
      readMs.push(await time(read));
      groupMs.push(await time(async () => groupSuggestions(candidates)));
    }
    for (const series of [suggestMs, baselineMs, readMs, groupMs]) series.sort((a, b) => a - b);
    const groups = await suggest();
    const sweepMs = await time(() => alertStorms(services.tickets, null));
    const p50 = percentile(suggestMs, 50);
    const p99 = percentile(suggestMs, 99);
    const base50 = percentile(baselineMs, 50);
    return {
      name: 'Suggestions (#16: GET /api/problems/suggestions)',
      lines: [
        `${OPEN.toLocaleString('en')} open tickets seeded in ${seedSeconds.toFixed(0)} s, ${RECENT.toLocaleString('en')} of them in the last two hours (the use case reads the newest ${CANDIDATES.toLocaleString('en')} of the window), ${CAUSES.length} causes worded ${WORDS.length} ways in ${CATEGORIES.length} categories; ${ROUNDS} rounds after a warm-up, each the use case as the route calls it (the window's indexed read and the pure grouping), beside a count of the open tickets in the same round.`,
        '',
        '| measure | p50 | p99 |',
        '| --- | --- | --- |',
        `| suggestions (${groups.length} groups) | ${fmt(p50)} | ${fmt(p99)} |`,
        `| of which the read of the window (${candidates.length} rows) | ${fmt(percentile(readMs, 50))} | ${fmt(percentile(readMs, 99))} |`,
        `| of which the grouping | ${fmt(percentile(groupMs, 50))} | ${fmt(percentile(groupMs, 99))} |`,
        `| baseline: count of open tickets | ${fmt(base50)} | ${fmt(percentile(baselineMs, 99))} |`,
        '',
        `Ratio p50 suggestions / count: ${(p50 / base50).toFixed(2)}. Target ≤ ${TARGET_MS} ms: ${p99 <= TARGET_MS ? 'met' : 'NOT met'} (p99 ${fmt(p99)}). The storm sweep's first look over the same window (every storming group recorded and its alert queued): ${fmt(sweepMs)}.`,
      ],
    };
  });
}
