import {
  DataTypes,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Model,
  type Sequelize,
} from 'sequelize';
import type { Channel, Level, Priority, Tier, TicketStatus, TicketType } from '../../domain/values.js';
import { createdAt, requiredText, updatedAt, uuidKey } from './columns.js';

export interface TicketRow extends Model<InferAttributes<TicketRow>, InferCreationAttributes<TicketRow>> {
  id: CreationOptional<string>;
  number: CreationOptional<number>;
  type: CreationOptional<TicketType>;
  channel: Channel;
  status: CreationOptional<TicketStatus>;
  priority: Priority;
  impact: Level;
  urgency: Level;
  category: string | null;
  tier: CreationOptional<Tier>;
  subject: string;
  description: CreationOptional<string>;
  requesterId: string;
  assigneeId: CreationOptional<string | null>;
  firstAssigneeId: CreationOptional<string | null>;
  outageId: CreationOptional<string | null>;
  linkedTicketId: CreationOptional<string | null>;
  parentId: CreationOptional<string | null>;
  resolution: CreationOptional<string | null>;
  satisfaction: CreationOptional<number | null>;
  respondBy: CreationOptional<Date | null>;
  resolveBy: CreationOptional<Date | null>;
  respondedAt: CreationOptional<Date | null>;
  breached: CreationOptional<boolean>;
  pausedAt: CreationOptional<Date | null>;
  clocksStartedAt: CreationOptional<Date | null>;
  pausedSeconds: CreationOptional<number>;
  offeredAt: CreationOptional<Date | null>;
  escalations: CreationOptional<number>;
  reassignments: CreationOptional<number>;
  reopens: CreationOptional<number>;
  createdAt: CreationOptional<Date>;
  updatedAt: CreationOptional<Date>;
  resolvedAt: CreationOptional<Date | null>;
  closedAt: CreationOptional<Date | null>;
}

export interface TicketEventRow extends Model<InferAttributes<TicketEventRow>, InferCreationAttributes<TicketEventRow>> {
  id: CreationOptional<number>;
  ticketId: string;
  type: string;
  actor: string;
  data: CreationOptional<Record<string, unknown>>;
  at: CreationOptional<Date>;
}

const optionalDate = DataTypes.DATE;
const counter = () => ({ type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });

export function defineTickets(sequelize: Sequelize) {
  const Ticket = sequelize.define<TicketRow>(
    'Ticket',
    {
      id: uuidKey(),
      // Filled by the database sequence: leave it out of INSERTs.
      number: { type: DataTypes.BIGINT, allowNull: false, defaultValue: sequelize.literal("nextval('ticket_number_seq')") },
      // An incident or a service request (migration 091).
      type: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'incident' },
      channel: requiredText(),
      status: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'new' },
      priority: requiredText(),
      impact: requiredText(),
      urgency: requiredText(),
      category: DataTypes.TEXT,
      tier: { type: DataTypes.SMALLINT, allowNull: false, defaultValue: 1 },
      subject: requiredText(),
      description: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
      requesterId: { type: DataTypes.UUID, allowNull: false },
      assigneeId: DataTypes.UUID,
      // Who was offered the ticket first (migration 084): first-contact resolution is theirs.
      firstAssigneeId: DataTypes.UUID,
      outageId: DataTypes.UUID,
      linkedTicketId: DataTypes.UUID,
      // The request a child task fulfils (migration 091).
      parentId: DataTypes.UUID,
      resolution: DataTypes.TEXT,
      satisfaction: DataTypes.SMALLINT,
      respondBy: optionalDate,
      resolveBy: optionalDate,
      respondedAt: optionalDate,
      breached: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      pausedAt: optionalDate,
      // A request's clocks start at its approval (migration 093); null: at creation.
      clocksStartedAt: optionalDate,
      pausedSeconds: counter(),
      offeredAt: optionalDate,
      escalations: counter(),
      reassignments: counter(),
      reopens: counter(),
      createdAt: createdAt(),
      updatedAt: updatedAt(),
      resolvedAt: optionalDate,
      closedAt: optionalDate,
    },
    { tableName: 'tickets' },
  );
  const TicketEvent = sequelize.define<TicketEventRow>(
    'TicketEvent',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      ticketId: { type: DataTypes.UUID, allowNull: false },
      type: requiredText(),
      actor: requiredText(),
      data: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      at: createdAt(),
    },
    { tableName: 'ticket_events' },
  );
  return { Ticket, TicketEvent };
}
