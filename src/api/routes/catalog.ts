import { z } from 'zod';
import { CATALOG_FIELD_TYPES } from '../../store/catalog-repository.js';
import type { Store } from '../../store/index.js';
import { createCatalogItem, getCatalogItem, listCatalog, updateCatalogItem } from '../../tickets/catalog.js';
import { route, type Route } from '../route.js';
import { phone } from '../schemas.js';

/** Input shapes of /api/catalog (issue #17). `strictObject`: an unknown field is an error that names it. */

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a slug: lower-case letters, digits and dashes, e.g. app-access (at most 63)');
const category = z.string().trim().min(1, 'must not be empty').max(50);

const field = z
  .strictObject({
    // A request's fields are keyed by these names (POST /api/requests `fields`), in JSON and in emails' "label: value" lines.
    name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,49}$/, 'expected a name of letters, digits and _, starting with a letter'),
    label: text(200),
    type: z.enum(CATALOG_FIELD_TYPES, { message: `expected one of ${CATALOG_FIELD_TYPES.join(', ')}` }),
    required: z.boolean().default(false),
    options: z.array(text(200)).min(1).max(50).optional(),
  })
  .refine((f) => (f.type === 'choice') === (f.options !== undefined), {
    message: 'a choice field needs its options, and only a choice field has options',
    path: ['options'],
  });
const fields = z
  .array(field)
  .max(50)
  .refine((list) => new Set(list.map((f) => f.name)).size === list.length, { message: 'two fields have the same name' });

const manager = z.strictObject({ manager: z.literal(true) });
const person = z
  .strictObject({
    name: text(200).optional(),
    email: z.email({ message: 'expected an email address' }).optional(),
    phone: phone.optional(),
  })
  // An approver is asked by email (links) or SMS: one with neither could never answer.
  .refine((p) => p.email !== undefined || p.phone !== undefined, { message: 'an approver needs an email or a phone' });
const approvers = z
  .array(z.union([manager, person], { message: 'expected {manager: true} or {name?, email?, phone?} with an email or a phone' }))
  .max(20)
  .refine((list) => list.filter((a) => 'manager' in a).length <= 1, { message: 'the requester’s manager is named twice' });
const tasks = z.array(z.strictObject({ title: text(300), category })).max(20);

const itemFields = {
  name: text(200),
  description: text(2_000).nullable(),
  fields,
  approvers,
  approval: z.enum(['any', 'all'], { message: 'expected any (the first answer decides) or all (every approver must approve)' }),
  category,
  tasks,
  active: z.boolean(),
};
const createBody = z.strictObject({
  id: slug,
  ...itemFields,
  description: itemFields.description.optional(),
  fields: fields.default([]),
  approvers: approvers.default([]),
  approval: itemFields.approval.default('any'),
  tasks: tasks.default([]),
  active: z.boolean().default(true),
});
const patchBody = z.strictObject(itemFields).partial();
const listQuery = z.strictObject({
  active: z
    .enum(['true', 'false'], { message: 'expected true or false' })
    .transform((v) => v === 'true')
    .optional(),
});
const idParams = z.strictObject({ id: slug });

type IdParams = z.infer<typeof idParams>;

/** The service catalog: technicians read it (they open requests from it), coordinators write it. */
export function catalogRoutes(store: Store): Route[] {
  return [
    route<Record<string, string>, z.infer<typeof listQuery>>({
      method: 'get',
      path: '/catalog',
      tag: 'requests',
      summary: 'The request types, by id: {items, total}; `active=true` only those a request may be opened from',
      access: 'staff',
      query: listQuery,
      async handler({ query }) {
        return { body: await listCatalog(store, query) };
      },
    }),
    route<Record<string, string>, unknown, z.infer<typeof createBody>>({
      method: 'post',
      path: '/catalog',
      tag: 'requests',
      summary:
        'Add a request type: {id (a slug), name, description?, fields?, approvers? ({email?, phone?, name?} or {manager: true}), approval? (any, all), category, tasks? ([{title, category}]), active?}; no approvers: no approval needed',
      access: 'coordinator',
      status: 201,
      body: createBody,
      async handler({ body }) {
        return { status: 201, body: await createCatalogItem(store, body) };
      },
    }),
    route<IdParams>({
      method: 'get',
      path: '/catalog/:id',
      params: idParams,
      tag: 'requests',
      summary: 'One request type',
      access: 'staff',
      async handler({ params }) {
        return { body: await getCatalogItem(store, params.id) };
      },
    }),
    route<IdParams, unknown, z.infer<typeof patchBody>>({
      method: 'patch',
      path: '/catalog/:id',
      params: idParams,
      tag: 'requests',
      summary: 'Change a request type (a list given replaces the whole list; `active: false` retires it: no new request of it)',
      access: 'coordinator',
      body: patchBody,
      async handler({ params, body }) {
        return { body: await updateCatalogItem(store, params.id, body) };
      },
    }),
  ];
}
