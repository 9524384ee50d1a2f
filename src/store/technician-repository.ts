import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Language, Tier } from '../domain/values.js';
import type { Technician } from '../domain/ticket.js';
import type { Models, TechnicianRow } from './models/index.js';

export interface TechnicianInput {
  name: string;
  email?: string | null;
  phone?: string | null;
  language?: Language;
  tier: Tier;
  skills: string[];
  maxLoad: number;
  available: boolean;
  onCall: boolean;
  shift?: string | null;
}

function toTechnician(row: TechnicianRow): Technician {
  const t = row.get({ plain: true });
  return {
    id: t.id,
    name: t.name,
    email: t.email,
    phone: t.phone,
    language: t.language,
    tier: t.tier,
    skills: t.skills,
    maxLoad: t.maxLoad,
    available: t.available,
    onCall: t.onCall,
    ...(t.shift ? { shift: t.shift } : {}),
  };
}

export function createTechnicianRepository(sequelize: Sequelize, models: Models) {
  const { Technician } = models;
  const active = { deletedAt: null };
  return {
    async list(): Promise<Technician[]> {
      const rows = await Technician.findAll({
        where: active,
        order: [
          ['tier', 'ASC'],
          ['name', 'ASC'],
        ],
      });
      return rows.map(toTechnician);
    },

    async get(id: string, tx?: Transaction): Promise<Technician | null> {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
      const row = await Technician.findOne({ where: { id, ...active }, transaction: tx });
      return row ? toTechnician(row) : null;
    },

    async findByPhone(phone: string): Promise<Technician | null> {
      const row = await Technician.findOne({ where: { phone, ...active } });
      return row ? toTechnician(row) : null;
    },

    async create(input: TechnicianInput, tx?: Transaction): Promise<Technician> {
      const row = await Technician.create(
        {
          name: input.name,
          email: input.email ?? null,
          phone: input.phone ?? null,
          language: input.language ?? 'fr',
          tier: input.tier,
          skills: input.skills,
          maxLoad: input.maxLoad,
          available: input.available,
          onCall: input.onCall,
          shift: input.shift ?? null,
        },
        { transaction: tx },
      );
      return toTechnician(row);
    },

    async update(id: string, changes: Partial<TechnicianInput>): Promise<Technician | null> {
      const [count] = await Technician.update({ ...changes, updatedAt: new Date() }, { where: { id, ...active } });
      return count === 0 ? null : this.get(id);
    },

    /** Technicians leave the desk but stay in the history of the tickets they worked. */
    async remove(id: string): Promise<boolean> {
      const [count] = await Technician.update({ deletedAt: new Date(), available: false }, { where: { id, ...active } });
      return count > 0;
    },

    async onCall(): Promise<Technician[]> {
      const rows = await Technician.findAll({ where: { ...active, onCall: true, available: true }, order: [['tier', 'ASC']] });
      return rows.map(toTechnician);
    },

    /** Open tickets per technician and priority: the load that routing weighs. */
    async openLoads(ids: string[], tx?: Transaction): Promise<Map<string, Record<string, number>>> {
      const rows = await sequelize.query<{ assignee_id: string; priority: string; n: number }>(
        `SELECT assignee_id, priority, count(*)::int AS n FROM tickets
          WHERE assignee_id IN (:ids) AND status IN ('assigned', 'in_progress', 'pending')
          GROUP BY assignee_id, priority`,
        { replacements: { ids: ids.length ? ids : ['00000000-0000-0000-0000-000000000000'] }, type: QueryTypes.SELECT, transaction: tx },
      );
      const loads = new Map<string, Record<string, number>>();
      for (const r of rows) {
        const load = loads.get(r.assignee_id) ?? {};
        load[r.priority] = r.n;
        loads.set(r.assignee_id, load);
      }
      return loads;
    },
  };
}

export type TechnicianRepository = ReturnType<typeof createTechnicianRepository>;
