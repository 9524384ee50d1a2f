import type { Sequelize, Transaction } from 'sequelize';
import { hotRows } from './prepared.js';
import type { Language } from '../domain.js';
import type { Requester } from '../tickets/types.js';
import type { Models, RequesterRow } from './models/index.js';

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

export function createRequesterRepository(models: Models) {
  const { Requester } = models;
  const sequelize = Requester.sequelize as Sequelize;
  const one = async (sql: string, bind: Record<string, unknown>, tx?: Transaction): Promise<Requester | null> => {
    const [row] = await hotRows<Requester>(sequelize, sql, bind, tx);
    return row ?? null;
  };
  return {
    // Plain statements, not model calls: every email and text looks its sender up here.
    async findByEmail(email: string, tx?: Transaction): Promise<Requester | null> {
      return one(`SELECT ${REQUESTER} FROM requesters WHERE emails @> ARRAY[CAST($value AS text)] LIMIT 1`, { value: email.toLowerCase() }, tx);
    },

    async findByPhone(phone: string, tx?: Transaction): Promise<Requester | null> {
      return one(`SELECT ${REQUESTER} FROM requesters WHERE phones @> ARRAY[CAST($value AS text)] LIMIT 1`, { value: phone }, tx);
    },

    async get(id: string, tx?: Transaction): Promise<Requester | null> {
      const row = await Requester.findByPk(id, { transaction: tx });
      return row ? toRequester(row) : null;
    },

    /**
     * The requester an email address or caller ID belongs to, created on first contact. A name is
     * filled in when we learn it, never overwritten by a later, possibly worse, guess.
     */
    async findOrCreate(contact: RequesterContact, tx: Transaction): Promise<Requester> {
      const email = contact.email?.trim().toLowerCase() || null;
      const phone = contact.phone?.trim() || null;
      const existing = (email && (await this.findByEmail(email, tx))) || (phone && (await this.findByPhone(phone, tx))) || null;
      if (existing) {
        const emails = email && !existing.emails.includes(email) ? [...existing.emails, email] : existing.emails;
        const phones = phone && !existing.phones.includes(phone) ? [...existing.phones, phone] : existing.phones;
        const name = existing.name ?? contact.name ?? null;
        if (emails !== existing.emails || phones !== existing.phones || name !== existing.name) {
          await hotRows(
            sequelize,
            `UPDATE requesters SET emails = CAST($emails AS text[]), phones = CAST($phones AS text[]), name = $name, updated_at = now() WHERE id = $id`,
            { id: existing.id, emails, phones, name },
            tx,
          );
        }
        return { ...existing, emails, phones, name };
      }
      const created = await one(
        `INSERT INTO requesters (name, emails, phones, language)
         VALUES ($name, CAST($emails AS text[]), CAST($phones AS text[]), $language) RETURNING ${REQUESTER}`,
        { name: contact.name ?? null, emails: email ? [email] : [], phones: phone ? [phone] : [], language: contact.language ?? null },
        tx,
      );
      if (!created) throw new Error('requesters: the insert returned no row');
      return created;
    },
  };
}

export type RequesterRepository = ReturnType<typeof createRequesterRepository>;
