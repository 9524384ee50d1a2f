import type { MigrationContext } from './types.js';

// A migration is frozen once applied: what it seeded is copied here as it was, not imported from
// today's routing defaults (src/rules), which may change without changing what this one did.

/** Each category's keywords and starting tier, as routing's default category table had them. */
const CATEGORY_KEYWORDS: readonly { name: string; startTier: number; keywords: readonly string[] }[] = [
  {
    name: 'security',
    startTier: 1,
    keywords: [
      'phishing',
      'hameconnage',
      'virus',
      'malware',
      'ransomware',
      'rancongiciel',
      'spam',
      'piratage',
      'pirate*',
      'hack*',
      'suspect*',
      'suspicious',
      'antivirus',
      'fraud*',
      'arnaque',
      'scam',
      'compromis*',
      'compromised',
      'lien douteux',
      'fuite de donnees',
      'data leak',
      'security',
      'securite',
    ],
  },
  {
    name: 'accounts',
    startTier: 1,
    keywords: [
      'mot de passe',
      'mdp',
      'password',
      'compte',
      'account',
      'verrouill*',
      'locked',
      'locked out',
      'identifiant*',
      'login',
      'log in',
      'connexion impossible',
      'authentification',
      'authentication',
      'mfa',
      '2fa',
      'double authentification',
      'reinitialis*',
      'reset',
      'expire*',
      'username',
      "nom d'utilisateur",
    ],
  },
  {
    name: 'access',
    startTier: 1,
    keywords: [
      'acces',
      'access',
      'permission*',
      'droit*',
      'autorisation*',
      'habilitation*',
      'partage',
      'dossier partage',
      'shared folder',
      'share',
      'rights',
      'denied',
      'refuse',
      'access denied',
      'acces refuse',
      'badge',
      'sharepoint',
    ],
  },
  {
    name: 'network',
    startTier: 1,
    keywords: [
      'reseau',
      'network',
      'wifi',
      'wi-fi',
      'vpn',
      'internet',
      'connexion',
      'connection',
      'ethernet',
      'cable reseau',
      'dns',
      'proxy',
      'firewall',
      'pare-feu',
      'routeur',
      'router',
      'switch',
      'borne',
      'latence',
      'latency',
      'deconnect*',
      'disconnect*',
      'ip',
    ],
  },
  {
    name: 'printing',
    startTier: 1,
    keywords: [
      'imprimante',
      'impression',
      'imprimer',
      'printer',
      'print',
      'printing',
      'scanner',
      'scan',
      'photocopieuse',
      'copieur',
      'copier',
      'toner',
      'cartouche',
      'cartridge',
      'bourrage',
      'paper jam',
      'papier',
    ],
  },
  {
    name: 'hardware',
    startTier: 1,
    keywords: [
      'ecran',
      'screen',
      'monitor',
      'clavier',
      'keyboard',
      'souris',
      'mouse',
      'laptop',
      'portable',
      'ordinateur',
      'computer',
      'pc',
      'poste de travail',
      'workstation',
      'batterie',
      'battery',
      'chargeur',
      'charger',
      'casque',
      'headset',
      'docking',
      "station d'accueil",
      'disque dur',
      'hard drive',
      'webcam',
      'usb',
    ],
  },
  {
    name: 'email',
    startTier: 1,
    keywords: [
      'mail',
      'email',
      'e-mail',
      'courriel',
      'outlook',
      'messagerie',
      'boite mail',
      'boite aux lettres',
      'mailbox',
      'inbox',
      'thunderbird',
      'exchange',
      'pieces jointes',
      'piece jointe',
      'attachment',
      'calendrier',
      'calendar',
      'liste de diffusion',
      'distribution list',
    ],
  },
  {
    name: 'software',
    startTier: 1,
    keywords: [
      'logiciel',
      'software',
      'application',
      'appli',
      'app',
      'installer',
      'installation',
      'install',
      'mise a jour',
      'update',
      'licence',
      'license',
      'excel',
      'word',
      'teams',
      'office',
      'erp',
      'crash*',
      'bug',
      'plante',
      'windows',
      'navigateur',
      'browser',
      'chrome',
      'firefox',
      'pdf',
    ],
  },
];

/** Every rule's default, seeded into `settings` under its name. */
const RULE_DEFAULTS: Record<string, unknown> = {
  'priority-matrix': {
    high: {
      high: 'P1',
      medium: 'P2',
      low: 'P3',
    },
    medium: {
      high: 'P2',
      medium: 'P3',
      low: 'P4',
    },
    low: {
      high: 'P3',
      medium: 'P4',
      low: 'P4',
    },
  },
  'priority-keywords': {
    urgencyHigh: [
      'urgent*',
      'urgence',
      'au plus vite',
      'immediatement',
      'tout de suite',
      'bloqu*',
      'panne',
      'hors service',
      'plante',
      'critique',
      'ne peux pas travailler',
      'ne peux plus travailler',
      'impossible de travailler',
      'asap',
      'emergency',
      'critical',
      'down',
      'blocked',
      'blocking',
      'cannot work',
      "can't work",
      'unable to work',
      'not working at all',
      'right now',
    ],
    urgencyLow: [
      'pas urgent*',
      'non urgent*',
      "rien d'urgent",
      'quand vous pourrez',
      'quand vous aurez le temps',
      'pas presse',
      'not urgent',
      'no rush',
      'no hurry',
      'when you have time',
      'when you get a chance',
      'low priority',
    ],
    impactHigh: [
      'tout le service',
      "toute l'equipe",
      'tout le monde',
      "tout l'etage",
      'tout le batiment',
      'tout le site',
      'personne ne peut',
      'plus personne',
      'tous les utilisateurs',
      'tous les postes',
      'tous les collegues',
      'panne generale',
      'coupure generale',
      'whole team',
      'entire team',
      'whole office',
      'whole department',
      'entire office',
      'everyone',
      'everybody',
      'all users',
      'all staff',
      'nobody can',
      'no one can',
      'company-wide',
      'outage',
    ],
  },
  'sla-targets': {
    P1: {
      responseMinutes: 15,
      resolutionMinutes: 240,
      aroundTheClock: true,
    },
    P2: {
      responseMinutes: 60,
      resolutionMinutes: 480,
      aroundTheClock: false,
    },
    P3: {
      responseMinutes: 240,
      resolutionMinutes: 1440,
      aroundTheClock: false,
    },
    P4: {
      responseMinutes: 480,
      resolutionMinutes: 2400,
      aroundTheClock: false,
    },
  },
  'offer-timeouts': {
    timeouts: {
      P1: 5,
      P2: 10,
      P3: 20,
      P4: 30,
    },
    reminderRatio: 0.5,
    p1RepeatMinutes: 1,
  },
  calendar: {
    holidays: [],
  },
  'load-weights': {
    P1: 8,
    P2: 4,
    P3: 2,
    P4: 1,
  },
};

/** Postgres string literal: doubles single quotes; our defaults contain `d'urgent` and the like. */
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
const textArray = (items: readonly string[]) => `ARRAY[${items.map(literal).join(', ')}]::text[]`;

/**
 * Routing rules as data. Categories get their keywords (so that categorisation is editable too) and
 * an updated_at; the other rules are seeded into `settings` once and never overwritten afterwards.
 * Indexes serve the timer planner (offers waiting for an answer) and the routing history lookups.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  const keywordUpdates = CATEGORY_KEYWORDS.map(
    (c) =>
      `UPDATE categories SET keywords = ${textArray(c.keywords)}, starting_tier = ${c.startTier}
         WHERE name = ${literal(c.name)} AND keywords = '{}';`,
  ).join('\n');
  const settings = Object.entries(RULE_DEFAULTS)
    .map(([key, value]) => `(${literal(key)}, ${literal(JSON.stringify(value))}::jsonb)`)
    .join(', ');
  await sql(`
    ALTER TABLE categories
      ADD COLUMN IF NOT EXISTS keywords text[] NOT NULL DEFAULT '{}',
      ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();
    ${keywordUpdates}
    INSERT INTO settings (key, value) VALUES ${settings} ON CONFLICT (key) DO NOTHING;

    -- the timer planner: offers still waiting for ACCEPT.
    CREATE INDEX IF NOT EXISTS tickets_offered_idx ON tickets (offered_at) WHERE status = 'assigned';
    -- routing history of one ticket (declines, timeouts, queue entries) by type.
    CREATE INDEX IF NOT EXISTS ticket_events_routing_idx ON ticket_events (ticket_id, type);
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    DROP INDEX IF EXISTS ticket_events_routing_idx;
    DROP INDEX IF EXISTS tickets_offered_idx;
    DELETE FROM settings WHERE key IN (${Object.keys(RULE_DEFAULTS).map(literal).join(', ')});
    ALTER TABLE categories DROP COLUMN IF EXISTS keywords, DROP COLUMN IF EXISTS updated_at;
  `);
}
