import { generateToken } from '../config/index.js';
import type { Tier } from '../domain/values.js';
import type { Store } from './index.js';

const DOMAIN = 'demo.helpdesk.example';

interface DemoTechnician {
  name: string;
  tier: Tier;
  skills: string[];
  maxLoad: number;
  onCall?: boolean;
  shift?: string;
  language?: 'fr' | 'en';
}

/** A small, plausible desk: first line generalists, second line specialists, third line experts. */
const TECHNICIANS: DemoTechnician[] = [
  { name: 'Camille Martin', tier: 1, skills: ['accounts', 'email', 'printing', 'access'], maxLoad: 8, onCall: true },
  { name: 'Lucas Bernard', tier: 1, skills: ['accounts', 'hardware', 'printing'], maxLoad: 8 },
  { name: 'Léa Dubois', tier: 1, skills: ['email', 'software', 'access'], maxLoad: 8, shift: 'mon-fri 07:00-15:00' },
  { name: 'Hugo Thomas', tier: 1, skills: ['network', 'hardware', 'printing'], maxLoad: 8, shift: 'mon-fri 11:00-19:00' },
  { name: 'Emma Robert', tier: 1, skills: ['accounts', 'email', 'software'], maxLoad: 6, language: 'en' },
  { name: 'Nathan Petit', tier: 2, skills: ['network', 'security'], maxLoad: 5, onCall: true },
  { name: 'Chloé Richard', tier: 2, skills: ['email', 'accounts', 'access'], maxLoad: 5 },
  { name: 'Louis Durand', tier: 2, skills: ['hardware', 'software', 'printing'], maxLoad: 5 },
  { name: 'Manon Leroy', tier: 2, skills: ['security', 'access', 'accounts'], maxLoad: 4, language: 'en' },
  { name: 'Jules Moreau', tier: 3, skills: ['network', 'security'], maxLoad: 3, onCall: true },
  { name: 'Sarah Simon', tier: 3, skills: ['email', 'software', 'accounts'], maxLoad: 3 },
  { name: 'Adam Laurent', tier: 3, skills: ['hardware', 'network', 'printing'], maxLoad: 3 },
];

function emailOf(name: string): string {
  const local = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, '.');
  return `${local}@${DOMAIN}`;
}

/** Idempotent: a second run finds the demo desk and leaves it as it is. */
export async function seedDemo(store: Store): Promise<string> {
  const existing = await store.technicians.countWithEmailDomain(DOMAIN);
  if (existing > 0) return `The demo desk is already there (${existing} technicians); nothing added.`;

  const lines: string[] = [];
  await store.transaction(async (tx) => {
    // Security incidents skip the first line.
    await tx.categories.setStartingTier('security', 2);
    for (const [index, t] of TECHNICIANS.entries()) {
      const technician = await tx.technicians.create({
        name: t.name,
        email: emailOf(t.name),
        phone: `+3361000${String(index + 1).padStart(4, '0')}`,
        language: t.language ?? 'fr',
        tier: t.tier,
        skills: t.skills,
        maxLoad: t.maxLoad,
        available: true,
        onCall: t.onCall ?? false,
        shift: t.shift ?? null,
      });
      const token = generateToken();
      await tx.tokens.issue(token, { role: 'technician', technicianId: technician.id });
      lines.push(`  L${t.tier} ${t.name.padEnd(16)} ${t.skills.join(', ').padEnd(32)} token ${token}`);
    }
  });
  await store.outages.create({
    title: 'Messagerie lente / Slow email',
    message:
      'Nous savons que la messagerie est lente depuis ce matin ; nos équipes y travaillent. Email is slow since this morning; we are on it.',
    category: 'email',
  });
  return [
    `Demo desk ready: ${TECHNICIANS.length} technicians, categories ${'network, printing, accounts, email, hardware, software, security (L2), access'}, one outage.`,
    'Technicians and their API tokens (shown once):',
    ...lines,
  ].join('\n');
}
