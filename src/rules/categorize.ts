import type { Tier } from '../domain/values.js';
import { keywordMatcher, normalizeText, ruleText } from './text.js';

/** One row of the editable category table. */
export interface CategoryDefinition {
  name: string;
  /** Skills a technician must hold to be offered the ticket; by default the category's own name. */
  skills: string[];
  /** Some categories (security, say) skip the first line. */
  startTier: Tier;
  /** French and English; `*` at the end matches any ending. */
  keywords: string[];
}

/**
 * Ordered so that, on equal scores, the more specific category wins: a phishing email mentions
 * "mail" too, a locked account is about "accès" as well, and "mail" turns up in every signature.
 * Symptoms ("ne démarre pas", "won't boot") and "phone" (signatures again) are left out on purpose.
 */
export const DEFAULT_CATEGORY_TABLE: CategoryDefinition[] = [
  {
    name: 'security',
    skills: ['security'],
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
    skills: ['accounts'],
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
    skills: ['access'],
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
    skills: ['network'],
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
    skills: ['printing'],
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
    skills: ['hardware'],
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
    skills: ['email'],
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
    skills: ['software'],
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

/**
 * Addresses and links name domains ("mail.example.com"), not the problem: such words are left out.
 * Word by word rather than one pattern over the text: `\S+@\S+` retries from every character of a
 * long word without "@" (quadratic: 100,000 characters without a space took 5 s).
 */
const WORD = /\S+/g;
const LINK = /^(?:https?:\/\/|www\.)/i;

function withoutAddresses(text: string): string {
  return text.replace(WORD, (word) => (isAddressOrLink(word) ? ' ' : word));
}

function isAddressOrLink(word: string): boolean {
  const at = word.indexOf('@');
  if (at > 0 && at < word.length - 1) return true;
  // A link inside punctuation, "(https://…)" or "<www.…>", counts too.
  const start = word.search(/[a-z]/i);
  return start !== -1 && LINK.test(word.slice(start, start + 8));
}

export interface CategoryGuess {
  category: string;
  score: number;
  keywords: string[];
}

/**
 * The category whose keywords the text names most, phrases counting by their number of words; ties go
 * to the earlier row. Only the text's first RULE_TEXT_CHARS characters are read. Null when no keyword is seen, so that a person (or the queue) decides.
 */
export function guessCategory(text: string, categories: readonly CategoryDefinition[] = DEFAULT_CATEGORY_TABLE): string | null {
  return scoreCategory(text, categories)?.category ?? null;
}

/** guessCategory with its evidence, for the ticket's events. */
export function scoreCategory(text: string, categories: readonly CategoryDefinition[] = DEFAULT_CATEGORY_TABLE): CategoryGuess | null {
  const normalized = normalizeText(withoutAddresses(ruleText(text)));
  let best: CategoryGuess | null = null;
  for (const category of categories) {
    let score = 0;
    const found: string[] = [];
    for (const keyword of category.keywords) {
      const matcher = keywordMatcher(keyword);
      if (matcher.test(normalized)) {
        score += matcher.words;
        found.push(keyword);
      }
    }
    if (score > 0 && (best === null || score > best.score)) {
      best = { category: category.name, score, keywords: found };
    }
  }
  return best;
}

export function findCategory(
  category: string | null | undefined,
  table: readonly CategoryDefinition[] = DEFAULT_CATEGORY_TABLE,
): CategoryDefinition | undefined {
  if (!category) return undefined;
  const name = category.trim().toLowerCase();
  return table.find((row) => row.name.toLowerCase() === name);
}

/** A category missing from the table still needs the skill of its own name, as the contract's default. */
export function requiredSkills(
  category: string | null | undefined,
  table: readonly CategoryDefinition[] = DEFAULT_CATEGORY_TABLE,
): string[] {
  if (!category) return [];
  const row = findCategory(category, table);
  return row ? [...row.skills] : [category.trim().toLowerCase()];
}

export function startingTier(category: string | null | undefined, table: readonly CategoryDefinition[] = DEFAULT_CATEGORY_TABLE): Tier {
  return findCategory(category, table)?.startTier ?? 1;
}
