import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/index.js';
import { findArticles, getArticle } from '../src/knowledge/articles.js';
import { createSequelize } from '../src/store/db.js';
import { createStore } from '../src/store/index.js';
import { migrate } from '../src/store/migrate.js';
import { fmt, percentile, type BenchResult } from './types.js';
import { startPostgresAndRedis, withScratch } from './support/scratch.js';

/**
 * GET /api/articles?q= over a large knowledge base (#16): ARTICLES articles, half French half
 * English, each a topic of the desk's (password, VPN, printer…) about one of many products and
 * sites, tagged, with a body of several sentences drawn from a pool written for its language. Timed:
 * the use case as the route calls it (findArticles, first page of 20 with the total), over QUERIES
 * as people type them (French without accents, English, word forms, a typo in a title), ROUNDS
 * passes after a warm-up. Baseline, in the same run: reading one article by its id.
 */
const ARTICLES = 20_000;
const ROUNDS = 10;
const TARGET_MS = 20;
const PAGE = { limit: 20, offset: 0 };

const FR_TOPICS = [
  'Mot de passe oublié',
  'Réinitialiser son mot de passe',
  'VPN qui se déconnecte',
  'Imprimante hors ligne',
  'Boîte aux lettres pleine',
  'Écran noir au démarrage',
  'Accès refusé au dossier partagé',
  'Configurer la double authentification',
  'Wifi invité lent',
  'Téléphone IP sans tonalité',
  'Installer un logiciel autorisé',
  'Badge refusé à l’entrée',
  'Lecteur réseau introuvable',
  'Compte verrouillé après trois essais',
  'Teams ne démarre plus',
  'Synchroniser son agenda sur mobile',
];
const EN_TOPICS = [
  'Forgotten password',
  'Reset your password',
  'VPN keeps disconnecting',
  'Printer offline',
  'Mailbox full',
  'Black screen at startup',
  'Access denied to a shared folder',
  'Set up two-factor authentication',
  'Slow guest Wi-Fi',
  'IP phone with no dial tone',
  'Install approved software',
  'Badge refused at the entrance',
  'Network drive not found',
  'Account locked after three attempts',
  'Teams does not start',
  'Sync your calendar on mobile',
];
const PRODUCTS = [
  'Outlook',
  'Windows 11',
  'macOS',
  'GlobalProtect',
  'Cisco AnyConnect',
  'Ricoh MP C3004',
  'HP LaserJet',
  'SAP',
  'SharePoint',
  'OneDrive',
  'Zoom',
  'Chrome',
  'Firefox',
  'Android',
  'iPhone',
  'Citrix',
];
const SITES = ['Lyon', 'Paris La Défense', 'Nantes', 'Lille', 'Bordeaux', 'Toulouse', 'Marseille', 'Strasbourg', 'Rennes', 'Grenoble'];
const FR_SENTENCES = [
  'Vérifiez d’abord que le câble réseau est bien branché et que le voyant est allumé.',
  'Redémarrez le poste puis reconnectez-vous avec votre identifiant habituel.',
  'Si le problème persiste, notez le message d’erreur exact et l’heure à laquelle il apparaît.',
  'Ouvrez le portail libre-service et suivez les étapes affichées à l’écran.',
  'Les mises à jour de sécurité sont installées automatiquement chaque mardi soir.',
  'Votre responsable doit valider la demande avant que l’accès soit accordé.',
  'Le service informatique ne vous demandera jamais votre mot de passe par téléphone.',
  'Pensez à fermer les applications ouvertes avant de lancer la procédure.',
  'La procédure prend environ dix minutes et ne supprime aucune donnée.',
  'En télétravail, connectez-vous au VPN avant d’ouvrir les applications métier.',
];
const EN_SENTENCES = [
  'First check that the network cable is plugged in and that the light is on.',
  'Restart the computer, then sign in again with your usual login.',
  'If the problem persists, write down the exact error message and when it appears.',
  'Open the self-service portal and follow the steps shown on screen.',
  'Security updates are installed automatically every Tuesday evening.',
  'Your manager must approve the request before access is granted.',
  'The IT department will never ask for your password over the phone.',
  'Close any open applications before starting the procedure.',
  'The procedure takes about ten minutes and deletes no data.',
  'When working from home, connect to the VPN before opening business applications.',
];
const QUERIES = [
  'mot de passe oublie',
  'reinitialiser mot de passe outlook',
  'vpn deconnexion globalprotect',
  'imprimante hors ligne ricoh',
  'ecran noir demarrage',
  'forgotten password',
  'reset password windows',
  'vpn disconnecting anyconnect',
  'printer offline hp',
  'mailbox full outlook',
  'pasword reset',
  'two-factor authentication iphone',
  '"network drive" -mac',
  'badge refuse lyon',
  'teams does not start citrix',
];

const array = (values: readonly string[]) => `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]`;

export async function run(): Promise<BenchResult> {
  return withScratch('articles', async (scratch) => {
    const { log, stops } = scratch;
    const { pg } = await startPostgresAndRedis(scratch);
    loadConfig({ DATABASE_URL: pg.url });
    const sequelize = createSequelize({ url: pg.url, poolMax: 5 });
    stops.push(() => sequelize.close());
    await migrate(sequelize);
    const store = createStore(sequelize, log);

    const seeded = performance.now();
    await sequelize.transaction(async (transaction) => {
      const q = (sql: string) => sequelize.query(sql, { transaction });
      await q('SET LOCAL synchronous_commit = off');
      await q('SELECT setseed(0.16)');
      // Even rows French, odd rows English; a topic, a product and a site per title; five sentences of the
      // language's pool (the sentence's own `s` in the aggregate keeps it, and random(), per article).
      await q(`
        INSERT INTO articles (title, body, language, tags, published)
        SELECT CASE WHEN g % 2 = 0 THEN (${array(FR_TOPICS)})[1 + (g / 2) % ${FR_TOPICS.length}]
                    ELSE (${array(EN_TOPICS)})[1 + (g / 2) % ${EN_TOPICS.length}] END
                 || ' – ' || (${array(PRODUCTS)})[1 + (g / 7) % ${PRODUCTS.length}] || ' (' || (${array(SITES)})[1 + (g / 13) % ${SITES.length}] || ')',
               (SELECT string_agg(CASE WHEN (g + 0 * s) % 2 = 0 THEN (${array(FR_SENTENCES)})[1 + floor(random() * ${FR_SENTENCES.length})::int]
                                       ELSE (${array(EN_SENTENCES)})[1 + floor(random() * ${EN_SENTENCES.length})::int] END, ' ')
                  FROM generate_series(1, 5) s),
               CASE WHEN g % 2 = 0 THEN 'fr' ELSE 'en' END,
               ARRAY[lower((${array(PRODUCTS)})[1 + (g / 7) % ${PRODUCTS.length}]), CASE WHEN g % 2 = 0 THEN 'poste' ELSE 'workstation' END],
               g % 10 <> 0
          FROM generate_series(1, ${ARTICLES}) g`);
    });
    await sequelize.query('ANALYZE articles');
    const seedSeconds = (performance.now() - seeded) / 1000;
    const [first] = (await store.articles.list({ limit: 1, offset: 0 })).items;
    if (!first) throw new Error('no article seeded');

    const time = async (work: () => Promise<unknown>) => {
      const started = performance.now();
      await work();
      return performance.now() - started;
    };
    for (const q of QUERIES) await findArticles(store, { q, ...PAGE });
    const searchMs: number[] = [];
    const baselineMs: number[] = [];
    const totals = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const q of QUERIES) {
        const started = performance.now();
        const page = await findArticles(store, { q, ...PAGE });
        searchMs.push(performance.now() - started);
        totals.set(q, page.total);
        baselineMs.push(await time(() => getArticle(store, first.id)));
      }
    }
    searchMs.sort((a, b) => a - b);
    baselineMs.sort((a, b) => a - b);
    const p50 = percentile(searchMs, 50);
    const p99 = percentile(searchMs, 99);
    const base50 = percentile(baselineMs, 50);
    const matches = [...totals.values()];
    return {
      name: 'Articles (#16: GET /api/articles?q=)',
      lines: [
        `${ARTICLES.toLocaleString('en')} articles seeded in ${seedSeconds.toFixed(0)} s (half French, half English, ${FR_TOPICS.length} topics × ${PRODUCTS.length} products × ${SITES.length} sites, bodies of five sentences, a tenth drafts); ${QUERIES.length} queries as people type them (French without accents, English, a typo, websearch quotes and minus) × ${ROUNDS} rounds after a warm-up, each the use case as the route calls it (first page of 20 and the total), beside a read of one article by id in the same round. Matches per query: ${Math.min(...matches).toLocaleString('en')} to ${Math.max(...matches).toLocaleString('en')}.`,
        '',
        '| measure | p50 | p99 |',
        '| --- | --- | --- |',
        `| search | ${fmt(p50)} | ${fmt(p99)} |`,
        `| baseline: one article by id | ${fmt(base50)} | ${fmt(percentile(baselineMs, 99))} |`,
        '',
        `Ratio p50 search / lookup by id: ${(p50 / base50).toFixed(1)}. Target p99 ≤ ${TARGET_MS} ms: ${p99 <= TARGET_MS ? 'met' : 'NOT met'} (p99 ${fmt(p99)}). Load average when it ended: ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores (the lookup by id's own p99 says how quiet the machine was).`,
      ],
    };
  });
}
