import {
  DataTypes,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Model,
  type Sequelize,
} from 'sequelize';
import { createdAt, requiredText } from './columns.js';

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'superseded';

/** A notification owed to someone, written in the same transaction as the change that causes it. */
export interface OutboxRow extends Model<InferAttributes<OutboxRow>, InferCreationAttributes<OutboxRow>> {
  id: CreationOptional<number>;
  idempotencyKey: string;
  ticketId: string | null;
  kind: string;
  channel: 'sms' | 'email';
  recipient: string;
  language: CreationOptional<string>;
  payload: CreationOptional<Record<string, unknown>>;
  status: CreationOptional<OutboxStatus>;
  attempts: CreationOptional<number>;
  nextAttemptAt: CreationOptional<Date>;
  lastError: CreationOptional<string | null>;
  externalId: CreationOptional<string | null>;
  createdAt: CreationOptional<Date>;
  sentAt: CreationOptional<Date | null>;
}

export interface QuarantineRow extends Model<InferAttributes<QuarantineRow>, InferCreationAttributes<QuarantineRow>> {
  id: CreationOptional<string>;
  mailbox: string;
  uid: number | null;
  reason: string;
  raw: Buffer | null;
  receivedAt: CreationOptional<Date>;
}

export function defineOutbox(sequelize: Sequelize) {
  const Outbox = sequelize.define<OutboxRow>(
    'Outbox',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      idempotencyKey: requiredText(),
      ticketId: DataTypes.UUID,
      kind: requiredText(),
      channel: requiredText(),
      recipient: requiredText(),
      language: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'fr' },
      payload: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      status: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'pending' },
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      nextAttemptAt: createdAt(),
      lastError: DataTypes.TEXT,
      externalId: DataTypes.TEXT,
      createdAt: createdAt(),
      sentAt: DataTypes.DATE,
    },
    { tableName: 'outbox' },
  );
  const Quarantine = sequelize.define<QuarantineRow>(
    'Quarantine',
    {
      id: { type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 },
      mailbox: requiredText(),
      uid: DataTypes.BIGINT,
      reason: requiredText(),
      raw: DataTypes.BLOB,
      receivedAt: createdAt(),
    },
    { tableName: 'quarantine' },
  );
  return { Outbox, Quarantine };
}
