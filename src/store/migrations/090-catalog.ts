import type { MigrationContext } from './types.js';

/**
 * The service catalog (issue #17): what a requester may ask for, the fields the request must carry,
 * who approves it (`any`: the first answer decides; `all`: each of them), the category that fulfils
 * it, and the child tasks an approved request opens, each routed to its own category.
 *
 * Fields, approvers and tasks are JSON: they are read and written whole with their item, and an
 * approver of `{"manager": true}` stands for the requester's manager, known only per request. The
 * item's category is a real reference (a category renamed or dropped under an item would leave it
 * unroutable); a task's category is checked by the API when the item is written.
 *
 * `general` is added for `other`: a request nobody has qualified yet needs no particular skill, so
 * any first-line technician may take it and give it its real category.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    INSERT INTO categories (name, required_skills) VALUES ('general', '{}') ON CONFLICT DO NOTHING;
    CREATE TABLE catalog_items (
      id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
      name        text NOT NULL,
      description text,
      fields      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(fields) = 'array'),
      approvers   jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(approvers) = 'array'),
      approval    text NOT NULL DEFAULT 'any' CHECK (approval IN ('any', 'all')),
      category    text NOT NULL REFERENCES categories(name) ON UPDATE CASCADE,
      tasks       jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(tasks) = 'array'),
      active      boolean NOT NULL DEFAULT true,
      created_at  timestamptz NOT NULL DEFAULT now(),
      updated_at  timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO catalog_items (id, name, description, fields, approvers, approval, category, tasks) VALUES
      ${SEED.map(row).join(',\n      ')}
    ON CONFLICT DO NOTHING;
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`DROP TABLE IF EXISTS catalog_items;`);
}

// Frozen once applied: the catalog as first seeded, editable after through /api/catalog.
interface SeedItem {
  id: string;
  name: string;
  description: string;
  fields: Array<{ name: string; label: string; type: string; required: boolean; options?: string[] }>;
  approvers: Array<{ manager: true }>;
  approval: 'any' | 'all';
  category: string;
  tasks: Array<{ title: string; category: string }>;
}

const MANAGER = [{ manager: true as const }];

const SEED: SeedItem[] = [
  {
    id: 'app-access',
    name: 'Access to an application',
    description: 'Rights on an application or a shared folder, granted once the requester’s manager agrees.',
    fields: [
      { name: 'application', label: 'Application', type: 'text', required: true },
      { name: 'accessLevel', label: 'Access level', type: 'choice', required: true, options: ['read', 'write', 'admin'] },
      { name: 'reason', label: 'Reason', type: 'textarea', required: true },
    ],
    approvers: MANAGER,
    approval: 'any',
    category: 'access',
    tasks: [],
  },
  {
    id: 'new-account',
    name: 'New arrival',
    description: 'Everything a newcomer needs on their first day: account, mailbox, laptop and badge.',
    fields: [
      { name: 'fullName', label: 'Name of the newcomer', type: 'text', required: true },
      { name: 'startDate', label: 'Start date', type: 'date', required: true },
      { name: 'department', label: 'Department', type: 'text', required: true },
      { name: 'managerEmail', label: 'Manager’s email', type: 'email', required: true },
    ],
    approvers: MANAGER,
    approval: 'any',
    category: 'accounts',
    tasks: [
      { title: 'Create the account', category: 'accounts' },
      { title: 'Create the mailbox', category: 'email' },
      { title: 'Prepare the laptop', category: 'hardware' },
      { title: 'Issue the badge', category: 'security' },
    ],
  },
  {
    id: 'departure',
    name: 'Departure',
    description: 'Someone leaves: every access removed, the equipment recovered.',
    fields: [
      { name: 'person', label: 'Person leaving', type: 'text', required: true },
      { name: 'lastDay', label: 'Last day', type: 'date', required: true },
    ],
    approvers: MANAGER,
    approval: 'any',
    category: 'accounts',
    tasks: [
      { title: 'Disable the account', category: 'accounts' },
      { title: 'Remove the application accesses', category: 'access' },
      { title: 'Recover the laptop', category: 'hardware' },
      { title: 'Deactivate the badge', category: 'security' },
    ],
  },
  {
    id: 'new-hardware',
    name: 'New hardware',
    description: 'A laptop, a screen, a phone or any other equipment, once the requester’s manager agrees.',
    fields: [
      { name: 'hardware', label: 'What hardware', type: 'text', required: true },
      { name: 'reason', label: 'Reason', type: 'textarea', required: true },
    ],
    approvers: MANAGER,
    approval: 'any',
    category: 'hardware',
    tasks: [],
  },
  {
    id: 'other',
    name: 'Other request',
    description: 'Anything else: the desk qualifies it.',
    fields: [{ name: 'description', label: 'What do you need?', type: 'textarea', required: true }],
    approvers: [],
    approval: 'any',
    category: 'general',
    tasks: [],
  },
];

/** One VALUES row; every text is quoted for SQL (the seed is ours, but quotes appear in its words). */
function row(item: SeedItem): string {
  const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
  const json = (value: unknown) => `${quote(JSON.stringify(value))}::jsonb`;
  return `(${[
    quote(item.id),
    quote(item.name),
    quote(item.description),
    json(item.fields),
    json(item.approvers),
    quote(item.approval),
    quote(item.category),
    json(item.tasks),
  ].join(', ')})`;
}
