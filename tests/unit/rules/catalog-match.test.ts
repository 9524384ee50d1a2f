import { describe, expect, it } from 'vitest';
import { matchCatalogItem, type MatchableItem } from '../../../src/rules/catalog-match.js';

const field = (name: string, label: string, type = 'text') => ({ name, label, type, required: true });

/** The catalog as migration 090 seeds it. */
const CATALOG: MatchableItem[] = [
  {
    id: 'app-access',
    name: 'Access to an application',
    active: true,
    fields: [
      field('application', 'Application'),
      { ...field('accessLevel', 'Access level', 'choice'), options: ['read', 'write', 'admin'] },
      field('reason', 'Reason', 'textarea'),
    ],
  },
  {
    id: 'new-account',
    name: 'New arrival',
    active: true,
    fields: [
      field('fullName', 'Name of the newcomer'),
      field('startDate', 'Start date', 'date'),
      field('department', 'Department'),
      field('managerEmail', 'Manager’s email', 'email'),
    ],
  },
  { id: 'departure', name: 'Departure', active: true, fields: [field('person', 'Person leaving'), field('lastDay', 'Last day', 'date')] },
  {
    id: 'new-hardware',
    name: 'New hardware',
    active: true,
    fields: [field('hardware', 'What hardware'), field('reason', 'Reason', 'textarea')],
  },
  { id: 'other', name: 'Other request', active: true, fields: [field('description', 'What do you need?', 'textarea')] },
];

describe('matchCatalogItem', () => {
  it('takes the item an English request plainly asks for, its lines filling the fields and its prose the reason', () => {
    const match = matchCatalogItem(CATALOG, {
      subject: 'Access to an application',
      body: 'Hello,\nApplication: SAP\nAccess level: Write\nI close the books at month end and need to post entries.',
    });
    expect(match).toEqual({
      itemId: 'app-access',
      fields: { application: 'SAP', accessLevel: 'write', reason: 'Hello,\nI close the books at month end and need to post entries.' },
    });
  });

  it('reads French, accents or not, and the labels whatever their apostrophes', () => {
    const hardware = matchCatalogItem(CATALOG, {
      subject: 'Demande de matériel',
      body: 'Bonjour, mon écran est trop petit pour les plans.\nWhat hardware: un second écran 27 pouces',
    });
    expect(hardware).toEqual({
      itemId: 'new-hardware',
      fields: { hardware: 'un second écran 27 pouces', reason: 'Bonjour, mon écran est trop petit pour les plans.' },
    });
    const departure = matchCatalogItem(CATALOG, {
      subject: 'Depart de Paul Martin',
      body: 'Paul quitte la société.\nPerson leaving: Paul Martin\nLast day: 2027-01-29',
    });
    expect(departure).toEqual({ itemId: 'departure', fields: { person: 'Paul Martin', lastDay: '2027-01-29' } });
    const arrival = matchCatalogItem(CATALOG, {
      subject: 'Nouvel arrivant',
      body: 'Name of the newcomer: Léa Dupont\nStart date: 2027-01-04\nDepartment: Finance\nManager’s email: marc@example.com',
    });
    expect(arrival).toEqual({
      itemId: 'new-account',
      fields: { fullName: 'Léa Dupont', startDate: '2027-01-04', department: 'Finance', managerEmail: 'marc@example.com' },
    });
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
    // Plainly a departure, but without the last day it cannot be opened as one.
    const body = 'Paul quitte la société vendredi, merci de supprimer les accès.\nPerson leaving: Paul Martin';
    expect(matchCatalogItem(CATALOG, { subject: 'Départ de Paul', body })).toEqual({ itemId: 'other', fields: { description: body } });
  });

  it('refuses a choice outside its options and a date it cannot read', () => {
    const level = matchCatalogItem(CATALOG, {
      subject: 'Access rights',
      body: 'Give me access to Jira please.\nApplication: Jira\nAccess level: superuser',
    });
    expect(level.itemId).toBe('other');
    const date = matchCatalogItem(CATALOG, {
      subject: 'Departure',
      body: 'Leaving us.\nPerson leaving: Paul Martin\nLast day: next Friday',
    });
    expect(date.itemId).toBe('other');
  });

  it('ignores inactive items and matches a desk’s own item by its name and labels', () => {
    const badge: MatchableItem = { id: 'badge', name: 'Door badge', active: true, fields: [field('building', 'Building')] };
    const email = { subject: 'Door badge', body: 'Mine stopped working.\nBuilding: B2' };
    expect(matchCatalogItem([...CATALOG, badge], email)).toEqual({ itemId: 'badge', fields: { building: 'B2' } });
    expect(matchCatalogItem([...CATALOG, { ...badge, active: false }], email).itemId).toBe('other');
  });
});

describe('matchCatalogItem, values as openRequest takes them', () => {
  it('fills an address, a number and a date only when they read as such', () => {
    const item: MatchableItem = {
      id: 'callback',
      name: 'Call back',
      active: true,
      fields: [
        field('email', 'Email', 'email'),
        { ...field('phone', 'Phone', 'phone'), required: false },
        { ...field('when', 'When', 'date'), required: false },
        { ...field('urgent', 'Urgent', 'boolean'), required: false },
      ],
    };
    const match = matchCatalogItem([item], {
      subject: 'Call back',
      body: 'Email: lea@example.com\nPhone: +33 6 12 34 56 78\nWhen: 2027-02-30\nUrgent: oui',
    });
    expect(match).toEqual({ itemId: 'callback', fields: { email: 'lea@example.com', phone: '+33612345678', urgent: true } });
    expect(matchCatalogItem([item], { subject: 'Call back', body: 'Email: lea at example' }).itemId).toBe('other');
  });
});
