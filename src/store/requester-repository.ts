import { Op, type Transaction } from 'sequelize';
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

export function createRequesterRepository(models: Models) {
  const { Requester } = models;
  return {
    async findByEmail(email: string, tx?: Transaction): Promise<Requester | null> {
      const row = await Requester.findOne({ where: { emails: { [Op.contains]: [email.toLowerCase()] } }, transaction: tx });
      return row ? toRequester(row) : null;
    },

    async findByPhone(phone: string, tx?: Transaction): Promise<Requester | null> {
      const row = await Requester.findOne({ where: { phones: { [Op.contains]: [phone] } }, transaction: tx });
      return row ? toRequester(row) : null;
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
          await Requester.update({ emails, phones, name, updatedAt: new Date() }, { where: { id: existing.id }, transaction: tx });
        }
        return { ...existing, emails, phones, name };
      }
      const row = await Requester.create(
        { name: contact.name ?? null, emails: email ? [email] : [], phones: phone ? [phone] : [], language: contact.language ?? null },
        { transaction: tx },
      );
      return toRequester(row);
    },
  };
}

export type RequesterRepository = ReturnType<typeof createRequesterRepository>;
