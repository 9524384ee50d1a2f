import { describe, expect, it } from 'vitest';
import { groupSuggestions, isStorm, type SuggestionCandidate } from '../../../src/rules/suggestions.js';
import { isAbout } from '../../../src/rules/outage-relevance.js';

/** #16: open tickets that look like one cause, grouped; a storm is three of a group within ten minutes. */

const at = (minute: number) => new Date(Date.UTC(2026, 11, 3, 9, minute));
let next = 1;
function ticket(subject: string, description: string, category: string | null, minute: number): SuggestionCandidate {
  const number = next++;
  return { id: `t${number}`, number, category, subject, description, createdAt: at(minute) };
}

describe('suggestion groups', () => {
  it('groups tickets of one category with the same telling words, accents and case aside, around the earliest', () => {
    const a = ticket('VPN coupé', 'Le VPN ne se connecte plus au siège', 'network', 0);
    const b = ticket('vpn ne répond plus', 'connexion VPN refusée', 'network', 1);
    const c = ticket('Imprimante bloquée au 2e', 'bourrage papier', 'printing', 2);
    const d = ticket('Le VPN refuse la connexion', '', 'network', 3);
    const groups = groupSuggestions([d, c, b, a]);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.seed.number).toBe(a.number);
    expect(groups[0]!.tickets.map((t) => t.number)).toEqual([a.number, b.number, d.number]);
  });

  it('groups short subjects naming the same thing, whatever their descriptions add', () => {
    const a = ticket('VPN coupé', 'Le VPN ne se connecte plus depuis le siège', 'network', 0);
    const b = ticket('VPN KO', 'le client tourne sans fin depuis la mise à jour', 'network', 1);
    const c = ticket('Plus de VPN', 'Impossible de joindre le serveur', 'network', 2);
    expect(groupSuggestions([a, b, c])[0]?.tickets.map((t) => t.number)).toEqual([a.number, b.number, c.number]);
  });

  it('does not group the same words across categories, nor tickets sharing only generic words', () => {
    const a = ticket('Écran noir', "l'écran reste noir", 'hardware', 0);
    const b = ticket('Écran noir', "l'écran reste noir", 'software', 1);
    const c = ticket('Problème urgent', 'ça ne marche pas depuis ce matin', 'software', 2);
    const d = ticket('Erreur impossible', 'ne fonctionne pas depuis ce matin', 'software', 3);
    expect(groupSuggestions([a, b, c, d])).toEqual([]);
  });

  it('a ticket sharing one word of many with the seed stays apart (half of the shorter text must match)', () => {
    const a = ticket('Imprimante du 3e étage bloquée', 'bourrage papier bac deux', 'printing', 0);
    const b = ticket('Imprimante couleur: toner vide', 'remplacer la cartouche cyan', 'printing', 1);
    expect(groupSuggestions([a, b])).toEqual([]);
  });

  it('a storm is three tickets of a group within ten minutes, wherever they fall in the group', () => {
    const spread = [0, 11, 22, 33].map((m) => ticket('VPN coupé', 'vpn', 'network', m));
    const [spreadGroup] = groupSuggestions(spread);
    expect(spreadGroup?.tickets).toHaveLength(4);
    expect(isStorm(spreadGroup!)).toBe(false);
    const burst = [0, 30, 35, 40].map((m) => ticket('Messagerie bloquée', 'Outlook messagerie', 'email', m));
    const [burstGroup] = groupSuggestions(burst);
    expect(isStorm(burstGroup!)).toBe(true);
  });
});

describe('a ticket about an ongoing outage', () => {
  const mail = { title: 'Mail is slow', message: 'We know; we are on it.', category: 'email' };
  it('matches the category when the outage has one, and the words', () => {
    expect(isAbout(mail, { category: 'email', subject: 'Mail very slow in Outlook' })).toBe(true);
    expect(isAbout(mail, { category: 'email', subject: 'Please add me to a distribution list' })).toBe(false);
    expect(isAbout(mail, { category: 'network', subject: 'Mail very slow' })).toBe(false);
  });
  it('without a category, the words alone, in any of its languages', () => {
    const vpn = {
      title: 'VPN indisponible',
      message: 'Accès distant en panne',
      translations: { en: { title: 'VPN down', message: 'Remote access is down' } },
    };
    expect(isAbout(vpn, { category: 'network', subject: 'remote access refused' })).toBe(true);
    expect(isAbout(vpn, { category: null, subject: 'Écran qui clignote' })).toBe(false);
  });
});
