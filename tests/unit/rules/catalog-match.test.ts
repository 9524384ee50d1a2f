import { describe, expect, it } from 'vitest';
import { matchCatalogItem, type MatchableItem } from '../../../src/rules/catalog-match.js';

const text = (name: string, label: string, required = true) => ({ name, label, type: 'text', required });

/** The seeded catalog, as migration 090 describes it. */
const CATALOG: MatchableItem[] = [
  {
    id: 'app-access',
    name: 'Access to an application',
    active: true,
    fields: [
      text('application', 'Application'),
      { name: 'level', label: 'Access level', type: 'choice', required: true, options: ['read', 'write', 'admin'] },
      { name: 'reason', label: 'Reason', type: 'textarea', required: false },
    ],
  },
  {
    id: 'new-account',
    name: 'New account (arrival)',
    active: true,
    fields: [
      text('name', 'Name'),
      { name: 'start_date', label: 'Start date', type: 'date', required: true },
      text('department', 'Department', false),
      { name: 'manager_email', label: 'Manager email', type: 'email', required: false },
    ],
  },
  {
    id: 'departure',
    name: 'Departure',
    active: true,
    fields: [text('person', 'Person'), { name: 'last_day', label: 'Last day', type: 'date', required: false }],
  },
  {
    id: 'new-hardware',
    name: 'New hardware',
    active: true,
    fields: [{ name: 'what', label: 'What', type: 'textarea', required: false }, text('reason', 'Reason', false)],
  },
  {
    id: 'other',
    name: 'Anything else',
    active: true,
    fields: [{ name: 'description', label: 'Description', type: 'textarea', required: true }],
  },
];

describe('matchCatalogItem', () => {
  it('takes the item an English request plainly asks for, filling its fields from "label: value" lines', () => {
    const match = matchCatalogItem(CATALOG, {
      subject: 'Access to an application',
      body: 'Hello,\nI need access to the accounting tool.\nApplication: SAP\nAccess level: Write\nReason: month-end closing\n',
    });
    expect(match).toEqual({ itemId: 'app-access', fields: { application: 'SAP', level: 'write', reason: 'month-end closing' } });
  });

  it('reads French, accents or not', () => {
    const hardware = matchCatalogItem(CATALOG, {
      subject: 'Demande de matériel',
      body: 'Bonjour, mon écran est trop petit, il me faudrait un second écran.',
    });
    expect(hardware.itemId).toBe('new-hardware');
    const departure = matchCatalogItem(CATALOG, {
      subject: 'Départ de Paul Martin',
      body: 'Paul quitte la société, son dernier jour est vendredi.\nPerson: Paul Martin',
    });
    expect(departure).toEqual({ itemId: 'departure', fields: { person: 'Paul Martin' } });
  });

  it('falls back to other, with the body as its description, when nothing stands out', () => {
    const body = 'Could you call me back about the thing we discussed?';
    expect(matchCatalogItem(CATALOG, { subject: 'Question', body })).toEqual({ itemId: 'other', fields: { description: body } });
  });

  it('falls back to other when two items are as likely', () => {
    // A laptop for a new employee: hardware and an arrival alike; the desk decides.
    const match = matchCatalogItem(CATALOG, { subject: 'New employee laptop', body: 'A new employee needs a laptop.' });
    expect(match.itemId).toBe('other');
  });

  it('falls back to other when the matched item needs a field the email does not give', () => {
    // An arrival without its start date cannot be opened as a new account.
    const match = matchCatalogItem(CATALOG, { subject: 'Nouveau compte', body: 'Création de compte pour un nouvel arrivant, Name: Léa' });
    expect(match.itemId).toBe('other');
    const complete = matchCatalogItem(CATALOG, {
      subject: 'Nouveau compte',
      body: 'Création de compte pour un nouvel arrivant.\nName: Léa Dupont\nStart date: 2027-01-04',
    });
    expect(complete).toEqual({ itemId: 'new-account', fields: { name: 'Léa Dupont', start_date: '2027-01-04' } });
  });

  it('ignores inactive items and matches a desk’s own item by its name and labels', () => {
    const badge: MatchableItem = { id: 'badge', name: 'Door badge', active: true, fields: [text('building', 'Building', false)] };
    expect(matchCatalogItem([...CATALOG, badge], { subject: 'Door badge', body: 'Mine stopped working.\nBuilding: B2' })).toEqual({
      itemId: 'badge',
      fields: { building: 'B2' },
    });
    expect(matchCatalogItem([...CATALOG, { ...badge, active: false }], { subject: 'Door badge', body: 'Building: B2' }).itemId).toBe(
      'other',
    );
  });

  it('refuses a choice outside the options and a date it cannot read, and fills a description field with the body', () => {
    const match = matchCatalogItem(CATALOG, {
      subject: 'Access rights',
      body: 'Give me access to Jira please.\nApplication: Jira\nAccess level: superuser',
    });
    // "superuser" is no level: the item's required level is missing, so the desk qualifies it.
    expect(match.itemId).toBe('other');
    const withDescription: MatchableItem = {
      id: 'vpn',
      name: 'VPN access',
      active: true,
      fields: [{ name: 'description', label: 'Description', type: 'textarea', required: true }],
    };
    const body = 'I need the VPN access for working from home.';
    expect(matchCatalogItem([withDescription], { subject: 'VPN access', body })).toEqual({ itemId: 'vpn', fields: { description: body } });
  });
});
