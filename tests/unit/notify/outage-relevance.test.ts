import { describe, expect, it } from 'vitest';
import { concerns, relevantOutages } from '../../../src/rules/outage-relevance.js';

/** Issue 11, item 9: the outages named to a requester are the ones that may explain their problem. */

const vpn = { title: 'VPN indisponible', message: "L'accès à distance est en panne depuis 8h." };
const printServer = { title: "Serveur d'impression arrêté", message: 'Les files sont suspendues.', category: 'printing' };
const mailOutage = { title: 'Messagerie perturbée', message: 'Les e-mails sortants sont retardés.' };
const vague = { title: 'Maintenance planifiée', message: 'Intervention en cours.' };

const printer = { category: 'printing', subject: "L'imprimante n'imprime plus", description: 'Elle est en panne depuis ce matin.' };
const vpnTicket = { category: 'network', subject: 'VPN coupé', description: 'Impossible de me connecter.' };

describe('which outages concern a problem', () => {
  it('an outage with a category concerns that category only, whatever the words', () => {
    expect(concerns(printServer, printer)).toBe(true);
    expect(concerns(printServer, vpnTicket)).toBe(false);
    expect(concerns({ ...printServer, title: 'VPN' }, vpnTicket)).toBe(false);
  });

  it('one without a category concerns a problem it shares a telling word with, accents, case and endings aside', () => {
    expect(concerns(vpn, vpnTicket)).toBe(true);
    expect(concerns(mailOutage, { category: null, subject: 'Mes E-MAILS ne partent pas', description: '' })).toBe(true);
    expect(concerns({ title: 'Imprimantes du 3e', message: '' }, { category: null, subject: 'imprimante bloquée' })).toBe(true);
  });

  it('reads the translations of an outage too', () => {
    const written = {
      title: 'Printers offline',
      message: 'All printers are offline.',
      translations: { fr: { title: 'Imprimantes hors ligne', message: '' } },
    };
    expect(concerns(written, { category: null, subject: "L'imprimante ne répond pas" })).toBe(true);
    expect(concerns({ ...written, translations: {} }, { category: null, subject: "L'imprimante ne répond pas" })).toBe(false);
  });

  it('words every announcement and complaint use ("panne", "depuis", "impossible") are not a resemblance', () => {
    expect(concerns(vpn, printer)).toBe(false);
    expect(concerns(vague, printer)).toBe(false);
    expect(concerns(vague, vpnTicket)).toBe(false);
  });

  it('keeps the order given', () => {
    expect(relevantOutages([vpn, printServer, mailOutage, vague], vpnTicket)).toEqual([vpn]);
    expect(relevantOutages([mailOutage, printServer, vpn], printer)).toEqual([printServer]);
  });

  it('reads a megabyte of text without a space in well under a second', () => {
    const hostile = { category: null, subject: 'a'.repeat(1 << 20), description: 'é-'.repeat(1 << 19) };
    const started = performance.now();
    expect(concerns(vpn, hostile)).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
