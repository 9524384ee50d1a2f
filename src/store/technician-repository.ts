import { Op } from 'sequelize';
import type { Language, Tier } from '../domain/values.js';
import type { Technician } from '../domain/ticket.js';
import { rows, type Db } from './handle.js';
import type { TechnicianRow } from './models/index.js';

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

export function createTechnicianRepository(db: Db) {
  const { Technician } = db.models;
  const active = { deletedAt: null };
  return {
    async list(): Promise<Technician[]> {
      const rows = await Technician.findAll({
        where: active,
        order: [
          ['tier', 'ASC'],
          ['name', 'ASC'],
        ],
        transaction: db.tx,
      });
      return rows.map(toTechnician);
    },

    async get(id: string): Promise<Technician | null> {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
      const row = await Technician.findOne({ where: { id, ...active }, transaction: db.tx });
      return row ? toTechnician(row) : null;
    },

    /** Technicians, on the desk or gone, whose email is at `domain`: is the demo desk there already? */
    async countWithEmailDomain(domain: string): Promise<number> {
      return Technician.count({ where: { email: { [Op.like]: `%@${domain}` } }, transaction: db.tx });
    },

    async findByPhone(phone: string): Promise<Technician | null> {
      const row = await Technician.findOne({ where: { phone, ...active }, transaction: db.tx });
      return row ? toTechnician(row) : null;
    },

    async create(input: TechnicianInput): Promise<Technician> {
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
        { transaction: db.tx },
      );
      return toTechnician(row);
    },

    async update(id: string, changes: Partial<TechnicianInput>): Promise<Technician | null> {
      const [count] = await Technician.update({ ...changes, updatedAt: new Date() }, { where: { id, ...active }, transaction: db.tx });
      return count === 0 ? null : this.get(id);
    },

    /**
     * Each active technician's load: the open tickets the triggers of migration 011 keep on their row
     * (assigned, in progress or pending), the number routing compares with maxLoad.
     */
    async loads(): Promise<Map<string, number>> {
      const found = await rows<{ id: string; load: number }>(
        db,
        `SELECT id, (open_p1 + open_p2 + open_p3 + open_p4)::int AS load FROM technicians WHERE deleted_at IS NULL`,
      );
      return new Map(found.map((r) => [r.id, r.load]));
    },

    /** Technicians leave the desk but stay in the history of the tickets they worked. */
    async remove(id: string): Promise<boolean> {
      const [count] = await Technician.update(
        { deletedAt: new Date(), available: false },
        { where: { id, ...active }, transaction: db.tx },
      );
      return count > 0;
    },

    async onCall(): Promise<Technician[]> {
      const rows = await Technician.findAll({
        where: { ...active, onCall: true, available: true },
        order: [['tier', 'ASC']],
        transaction: db.tx,
      });
      return rows.map(toTechnician);
    },
  };
}
