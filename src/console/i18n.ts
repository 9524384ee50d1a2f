import { DateTime, Duration } from 'luxon';
import type { Language } from '../domain/values.js';

type Text = string | ((...args: never[]) => string);
type Dictionary = Record<string, Text>;

/**
 * A page's words in both languages. The French dictionary must have exactly the English keys (the
 * compiler says which is missing), so a page cannot ship half translated.
 */
export function texts<D extends Dictionary>(en: D, fr: { [K in keyof D]: D[K] }): (lang: Language) => D {
  return (lang) => (lang === 'fr' ? fr : en);
}

/** Words every page uses: the navigation, the frame, the shared enums of the contract. */
export const common = texts(
  {
    queue: 'Queue',
    technicians: 'Technicians',
    outages: 'Outages',
    stats: 'Statistics',
    quarantine: 'Quarantine',
    rules: 'Rules',
    signOut: 'Sign out',
    skipToContent: 'Skip to content',
    mainNav: 'Main navigation',
    language: 'Language',
    live: 'Live',
    reconnecting: 'Connection lost, reconnecting…',
    shortcuts: 'Keyboard shortcuts',
    shortcutHelp: 'Show this list',
    shortcutQueue: 'Go to the queue',
    shortcutTechnicians: 'Go to technicians',
    shortcutSearch: 'Search the queue',
    closeDialog: 'Close',
    nobody: 'Nobody',
    error: 'Error',
    forbidden: 'You may not see this page.',
    notFound: 'Nothing here.',
    backToQueue: 'Back to the queue',
    status_awaiting_approval: 'Awaiting approval',
    status_new: 'New',
    status_assigned: 'Assigned',
    status_in_progress: 'In progress',
    status_pending: 'Pending',
    status_resolved: 'Resolved',
    status_closed: 'Closed',
    channel_voice: 'Phone',
    channel_email: 'Email',
    channel_sms: 'SMS',
    channel_web: 'Web',
    overdue: 'overdue',
  },
  {
    queue: 'File',
    technicians: 'Techniciens',
    outages: 'Pannes',
    stats: 'Statistiques',
    quarantine: 'Quarantaine',
    rules: 'Règles',
    signOut: 'Se déconnecter',
    skipToContent: 'Aller au contenu',
    mainNav: 'Navigation principale',
    language: 'Langue',
    live: 'En direct',
    reconnecting: 'Connexion perdue, reconnexion…',
    shortcuts: 'Raccourcis clavier',
    shortcutHelp: 'Afficher cette liste',
    shortcutQueue: 'Aller à la file',
    shortcutTechnicians: 'Aller aux techniciens',
    shortcutSearch: 'Chercher dans la file',
    closeDialog: 'Fermer',
    nobody: 'Personne',
    error: 'Erreur',
    forbidden: "Vous n'avez pas accès à cette page.",
    notFound: 'Rien ici.',
    backToQueue: 'Retour à la file',
    status_awaiting_approval: 'En attente d’approbation',
    status_new: 'Nouveau',
    status_assigned: 'Assigné',
    status_in_progress: 'En cours',
    status_pending: 'En attente',
    status_resolved: 'Résolu',
    status_closed: 'Clos',
    channel_voice: 'Téléphone',
    channel_email: 'E-mail',
    channel_sms: 'SMS',
    channel_web: 'Web',
    overdue: 'en retard',
  },
);

/** A moment as the desk reads it: in its time zone, in the viewer's language. */
export function formatDateTime(at: Date | string, where: { lang: Language; timezone: string }): string {
  const moment = typeof at === 'string' ? DateTime.fromISO(at) : DateTime.fromJSDate(at);
  return moment.setZone(where.timezone).setLocale(where.lang).toLocaleString(DateTime.DATETIME_MED);
}

/** A length of time the way a person says it: "2 h 5 min", "3 d 4 h"; the two largest units. */
export function formatDuration(seconds: number, lang: Language): string {
  const whole = Math.max(0, Math.round(Math.abs(seconds)));
  const units = Duration.fromObject({ seconds: whole }).shiftTo('days', 'hours', 'minutes', 'seconds').toObject();
  const names =
    lang === 'fr' ? { days: 'j', hours: 'h', minutes: 'min', seconds: 's' } : { days: 'd', hours: 'h', minutes: 'min', seconds: 's' };
  const parts = (['days', 'hours', 'minutes', 'seconds'] as const)
    .filter((unit) => (units[unit] ?? 0) > 0)
    .slice(0, 2)
    .map((unit) => `${units[unit]} ${names[unit]}`);
  return parts.length > 0 ? parts.join(' ') : `0 ${names.minutes}`;
}
