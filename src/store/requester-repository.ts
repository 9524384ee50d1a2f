import { randomUUID } from 'node:crypto';
import { jsonb } from './jsonb.js';
import { hotRows, type Bind, type Db } from './handle.js';
import type { Language } from '../domain/values.js';
import type { Requester } from '../domain/ticket.js';
import type { RequesterRow } from './models/index.js';

export interface RequesterContact {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  language?: Language | null;
}

function toRequester(row: RequesterRow): Requester {
  const { id, name, emails, phones, language, vip } = row.get({ plain: true });
  return { id, name, emails, phones, language, vip };
}

const REQUESTER = 'id, name, emails, phones, language, vip';

export function createRequesterRepository(db: Db) {
  const { Requester } = db.models;
  const one = async (sql: string, bind: Bind): Promise<Requester | null> => {
    const [row] = await hotRows<Requester>(db, sql, bind);
    return row ?? null;
  };
  return {
    // Plain statements, not model calls: every text looks its sender up here.
    async findByPhone(phone: string): Promise<Requester | null> {
      return one(`SELECT ${REQUESTER} FROM requesters WHERE phones @> ARRAY[CAST($value AS text)] LIMIT 1`, { value: phone });
    },

    async get(id: string): Promise<Requester | null> {
      const row = await Requester.findByPk(id, { transaction: db.tx });
      return row ? toRequester(row) : null;
    },

    /**
     * The requester an email address or caller ID belongs to, created on first contact. A name is
     * filled in when we learn it, never overwritten by a later, possibly worse, guess.
     */
    async findOrCreate(contact: RequesterContact): Promise<Requester> {
      const [requester] = await this.findOrCreateMany([contact]);
      if (!requester) throw new Error('requesters: no requester for the contact');
      return requester;
    },

    /**
     * findOrCreate for many contacts at once (a backlog of emails): one lookup, one insert, one
     * update at most. Contacts sharing an address get the same requester, as one after the other
     * would. Returns the requesters in the contacts' order.
     */
    async findOrCreateMany(contacts: readonly RequesterContact[]): Promise<Requester[]> {
      const wanted = contacts.map((c) => ({ contact: c, email: c.email?.trim().toLowerCase() || null, phone: c.phone?.trim() || null }));
      const emails = [...new Set(wanted.flatMap((w) => (w.email ? [w.email] : [])))];
      const phones = [...new Set(wanted.flatMap((w) => (w.phone ? [w.phone] : [])))];
      const found =
        emails.length + phones.length === 0
          ? []
          : await hotRows<Requester>(
              db,
              `SELECT ${REQUESTER} FROM requesters WHERE emails && CAST($emails AS text[]) OR phones && CAST($phones AS text[]) ORDER BY created_at, id`,
              { emails, phones },
            );
      // Each requester once, as it stands after the contacts before; created and changed ones are written below.
      const byEmail = new Map<string, Requester>();
      const byPhone = new Map<string, Requester>();
      const remember = (r: Requester) => {
        for (const e of r.emails) if (!byEmail.has(e)) byEmail.set(e, r);
        for (const p of r.phones) if (!byPhone.has(p)) byPhone.set(p, r);
      };
      found.forEach(remember);
      const created = new Set<Requester>();
      const changed = new Set<Requester>();
      const out = wanted.map(({ contact, email, phone }) => {
        const existing = (email && byEmail.get(email)) || (phone && byPhone.get(phone)) || null;
        if (!existing) {
          const fresh: Requester = {
            id: randomUUID(),
            name: contact.name ?? null,
            emails: email ? [email] : [],
            phones: phone ? [phone] : [],
            language: contact.language ?? null,
            vip: false,
          };
          created.add(fresh);
          remember(fresh);
          return fresh;
        }
        const addEmail = email !== null && !existing.emails.includes(email);
        const addPhone = phone !== null && !existing.phones.includes(phone);
        const addName = existing.name === null && (contact.name ?? null) !== null;
        if (addEmail) existing.emails = [...existing.emails, email];
        if (addPhone) existing.phones = [...existing.phones, phone];
        if (addName) existing.name = contact.name ?? null;
        if ((addEmail || addPhone || addName) && !created.has(existing)) changed.add(existing);
        remember(existing);
        return existing;
      });
      if (created.size > 0) {
        await hotRows(
          db,
          `INSERT INTO requesters (id, name, emails, phones, language)
           SELECT r.id, r.name, ARRAY(SELECT jsonb_array_elements_text(r.emails)), ARRAY(SELECT jsonb_array_elements_text(r.phones)), r.language
             FROM jsonb_to_recordset(CAST($rows AS jsonb)) AS r(id uuid, name text, emails jsonb, phones jsonb, language text)`,
          { rows: jsonb([...created]) },
        );
      }
      if (changed.size > 0) {
        await hotRows(
          db,
          `UPDATE requesters SET name = r.name, updated_at = now(),
                  emails = ARRAY(SELECT jsonb_array_elements_text(r.emails)), phones = ARRAY(SELECT jsonb_array_elements_text(r.phones))
             FROM jsonb_to_recordset(CAST($rows AS jsonb)) AS r(id uuid, name text, emails jsonb, phones jsonb)
            WHERE requesters.id = r.id`,
          { rows: jsonb([...changed]) },
        );
      }
      // Copies: the caller's objects are its own.
      return out.map((r) => ({ ...r, emails: [...r.emails], phones: [...r.phones] }));
    },
  };
}
