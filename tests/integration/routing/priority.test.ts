import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, Level } from '../../../src/domain/values.js';
import { headerUrgency } from '../../../src/rules/priority.js';
import { openTicket } from '../../../src/tickets/open-ticket.js';
import { createRoutingDesk, detail, type RoutingDesk } from './routing-desk.js';

/** Each kind of hint, through a real ticket: what it is stored with, and the reasons in its events. */
let desk: RoutingDesk;

beforeAll(async () => {
  desk = await createRoutingDesk();
});
afterAll(async () => {
  await desk?.close();
});

interface Case {
  channel?: Channel;
  subject: string;
  description?: string;
  impact?: Level;
  urgency?: Level;
  urgencyHint?: Level;
  email?: string;
}

async function open(c: Case) {
  const { ticket } = await openTicket(desk.services.tickets, {
    channel: c.channel ?? 'web',
    subject: c.subject,
    description: c.description ?? '',
    requester: c.channel === 'voice' || c.channel === 'sms' ? { phone: '+33611111111' } : { email: c.email ?? 'user@example.com' },
    ...(c.impact ? { impact: c.impact } : {}),
    ...(c.urgency ? { urgency: c.urgency } : {}),
    ...(c.urgencyHint ? { urgencyHint: c.urgencyHint } : {}),
  });
  if (!ticket) throw new Error('no ticket');
  const d = await detail(desk, ticket.number);
  const created = d.events.find((e) => e.type === 'created');
  return { priority: d.priority, impact: d.impact, urgency: d.urgency, why: (created?.data.why as string[]).join(' | ') };
}

describe('priority from each kind of hint', () => {
  it('a person sets impact and urgency: high × high is P1, low × low is P4', async () => {
    expect(await open({ subject: 'Printer', impact: 'high', urgency: 'high' })).toMatchObject({ priority: 'P1' });
    const low = await open({ subject: 'Printer', impact: 'low', urgency: 'low' });
    expect(low).toMatchObject({ priority: 'P4' });
    expect(low.why).toContain('impact low: set by a person');
  });

  it("the voice menu's urgent option raises urgency", async () => {
    const t = await open({ channel: 'voice', subject: 'Voicemail', urgencyHint: 'high' });
    expect(t).toMatchObject({ priority: 'P2', urgency: 'high' });
    expect(t.why).toContain('IVR urgent option');
  });

  it('an urgent@ mailbox, and the X-Priority and Importance headers, set urgency', async () => {
    const mailbox = await open({ channel: 'email', subject: 'Question', urgencyHint: 'high' });
    expect(mailbox).toMatchObject({ priority: 'P2', urgency: 'high' });
    expect(mailbox.why).toContain('mailbox default');
    const xPriority = headerUrgency({ xPriority: '1 (Highest)' });
    expect(xPriority?.level).toBe('high');
    expect(await open({ channel: 'email', subject: 'Question', urgencyHint: xPriority!.level })).toMatchObject({ priority: 'P2' });
    const importance = headerUrgency({ importance: 'low' });
    expect(await open({ channel: 'email', subject: 'Question', urgencyHint: importance!.level })).toMatchObject({ priority: 'P4' });
  });

  it('keywords in French and in English', async () => {
    const panne = await open({ subject: 'Panne de mon poste', description: 'Je suis bloqué depuis ce matin' });
    expect(panne).toMatchObject({ priority: 'P2', urgency: 'high' });
    expect(panne.why).toMatch(/"panne"/);
    const service = await open({ subject: 'Réseau', description: 'Tout le service est bloqué, personne ne peut se connecter' });
    expect(service).toMatchObject({ priority: 'P1', impact: 'high', urgency: 'high' });
    const down = await open({ subject: 'CRM down', description: 'The whole team cannot work' });
    expect(down).toMatchObject({ priority: 'P1' });
    const calm = await open({ subject: 'New mouse', description: 'Pas urgent, quand vous aurez le temps' });
    expect(calm).toMatchObject({ priority: 'P4', urgency: 'low' });
  });

  it('a VIP requester is one step more urgent', async () => {
    expect(await open({ subject: 'Screen flickers', email: 'ceo@example.com' })).toMatchObject({ priority: 'P3' });
    await desk.sequelize.query(`UPDATE requesters SET vip = true WHERE 'ceo@example.com' = ANY(emails)`);
    const vip = await open({ subject: 'Screen flickers', email: 'ceo@example.com' });
    expect(vip).toMatchObject({ priority: 'P2', urgency: 'high' });
    expect(vip.why).toContain('VIP requester');
  });
});
