import { rows, type Db } from './handle.js';
import { jsonb } from './jsonb.js';

export const CATALOG_FIELD_TYPES = ['text', 'textarea', 'email', 'phone', 'date', 'choice', 'boolean'] as const;
export type CatalogFieldType = (typeof CATALOG_FIELD_TYPES)[number];

/** A field of a request's form; `options` are a `choice`'s answers. */
export interface CatalogField {
  name: string;
  label: string;
  type: CatalogFieldType;
  required: boolean;
  options?: string[];
}

/** Someone named, or the requester's manager (known per request, not per item). */
export type CatalogApprover = { name?: string; email?: string; phone?: string } | { manager: true };

export interface CatalogTask {
  title: string;
  category: string;
}

/** A request type (migration 090). No approvers: a request of it needs no approval. */
export interface CatalogItem {
  /** A slug, e.g. "app-access". */
  id: string;
  name: string;
  description: string | null;
  fields: CatalogField[];
  approvers: CatalogApprover[];
  approval: 'any' | 'all';
  category: string;
  tasks: CatalogTask[];
  active: boolean;
}

export type CatalogItemInput = Omit<CatalogItem, 'description' | 'approvers' | 'approval' | 'tasks' | 'active'> &
  Partial<Pick<CatalogItem, 'description' | 'approvers' | 'approval' | 'tasks' | 'active'>>;
export type CatalogItemPatch = Partial<Omit<CatalogItem, 'id'>>;

// jsonb columns arrive parsed: the shapes are the ones this repository wrote (or migration 090 seeded).
const SELECT = 'SELECT id, name, description, fields, approvers, approval, category, tasks, active FROM catalog_items';

const COLUMNS: Record<keyof CatalogItemPatch, { column: string; json: boolean }> = {
  name: { column: 'name', json: false },
  description: { column: 'description', json: false },
  fields: { column: 'fields', json: true },
  approvers: { column: 'approvers', json: true },
  approval: { column: 'approval', json: false },
  category: { column: 'category', json: false },
  tasks: { column: 'tasks', json: true },
  active: { column: 'active', json: false },
};

function isPatchKey(key: string): key is keyof CatalogItemPatch {
  return Object.hasOwn(COLUMNS, key);
}

export function createCatalogRepository(db: Db) {
  async function get(id: string): Promise<CatalogItem | null> {
    const [found] = await rows<CatalogItem>(db, `${SELECT} WHERE id = $id`, { id });
    return found ?? null;
  }

  return {
    get,

    /** Every item, inactive ones too (the caller filters), by id so that lists read the same each time. */
    async list(): Promise<CatalogItem[]> {
      return rows<CatalogItem>(db, `${SELECT} ORDER BY id`);
    },

    /** A unique violation (the id is taken) is thrown for the caller to answer 409. */
    async create(input: CatalogItemInput): Promise<CatalogItem> {
      const [created] = await rows<CatalogItem>(
        db,
        `INSERT INTO catalog_items (id, name, description, fields, approvers, approval, category, tasks, active)
         VALUES ($id, $name, $description, CAST($fields AS jsonb), CAST($approvers AS jsonb), $approval, $category,
                 CAST($tasks AS jsonb), $active)
         RETURNING id, name, description, fields, approvers, approval, category, tasks, active`,
        {
          id: input.id,
          name: input.name,
          description: input.description ?? null,
          fields: jsonb(input.fields),
          approvers: jsonb(input.approvers ?? []),
          approval: input.approval ?? 'any',
          category: input.category,
          tasks: jsonb(input.tasks ?? []),
          active: input.active ?? true,
        },
      );
      if (!created) throw new Error('catalog_items: the insert returned no row');
      return created;
    },

    /** Changes the keys given (a list is replaced whole); null when there is no such item. */
    async update(id: string, patch: CatalogItemPatch): Promise<CatalogItem | null> {
      const bind: Record<string, unknown> = { id };
      const sets: string[] = [];
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined || !isPatchKey(key)) continue;
        const { column, json } = COLUMNS[key];
        bind[key] = json ? jsonb(value) : value;
        sets.push(json ? `${column} = CAST($${key} AS jsonb)` : `${column} = $${key}`);
      }
      if (sets.length === 0) return get(id);
      const [updated] = await rows<CatalogItem>(
        db,
        `UPDATE catalog_items SET ${sets.join(', ')}, updated_at = now() WHERE id = $id
         RETURNING id, name, description, fields, approvers, approval, category, tasks, active`,
        bind,
      );
      return updated ?? null;
    },
  };
}
