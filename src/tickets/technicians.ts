import { generateToken } from '../config/index.js';
import { parseBusinessHours } from '../config/business-hours.js';
import type { Technician } from '../domain/ticket.js';
import { AppError } from '../errors.js';
import type { TechnicianInput } from '../store/technician-repository.js';
import type { TicketDeps } from './deps.js';

/**
 * The desk's technicians changed by a coordinator, from the API or the console: one path, so that
 * routing hears of every change (someone new, available again or with more room may take waiting
 * tickets).
 */

function assertShift(shift: string | null | undefined): void {
  if (!shift) return;
  try {
    parseBusinessHours(shift);
  } catch (err) {
    throw new AppError('VALIDATION_FAILED', `shift: ${(err as Error).message}`, { field: 'shift' });
  }
}

function told(deps: TicketDeps, technicianId: string): void {
  for (const listener of deps.technicianListeners ?? []) listener({ technicianId });
}

export async function technicianOr404(deps: TicketDeps, id: string): Promise<Technician> {
  const technician = await deps.store.technicians.get(id);
  if (!technician) throw new AppError('TECHNICIAN_NOT_FOUND', `technician ${id} does not exist`);
  return technician;
}

/** A new technician and their API token, issued together; the token is returned once and stored hashed. */
export async function addTechnician(deps: TicketDeps, input: TechnicianInput): Promise<Technician & { token: string }> {
  const { store } = deps;
  assertShift(input.shift);
  if (input.phone && (await store.technicians.findByPhone(input.phone))) {
    throw new AppError('CONFLICT', 'phone: another technician already has this number', { field: 'phone' });
  }
  const token = generateToken();
  const technician = await store.transaction(async (tx) => {
    const created = await tx.technicians.create(input);
    await tx.tokens.issue(token, { role: 'technician', technicianId: created.id });
    return created;
  });
  told(deps, technician.id);
  return { ...technician, token };
}

export async function changeTechnician(deps: TicketDeps, id: string, changes: Partial<TechnicianInput>): Promise<Technician> {
  const { store } = deps;
  await technicianOr404(deps, id);
  assertShift(changes.shift);
  const holder = changes.phone ? await store.technicians.findByPhone(changes.phone) : null;
  if (holder && holder.id !== id) {
    throw new AppError('CONFLICT', 'phone: another technician already has this number', { field: 'phone' });
  }
  const updated = await store.technicians.update(id, changes);
  if (!updated) throw new AppError('TECHNICIAN_NOT_FOUND', `technician ${id} does not exist`);
  told(deps, id);
  return updated;
}
