import {
  DataTypes,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Model,
  type Sequelize,
} from 'sequelize';
import type { Channel } from '../../domain/values.js';
import { createdAt, requiredText, uuidKey } from './columns.js';

export interface MessageRow extends Model<InferAttributes<MessageRow>, InferCreationAttributes<MessageRow>> {
  id: CreationOptional<string>;
  ticketId: string | null;
  direction: 'in' | 'out';
  channel: Channel;
  sender: string | null;
  recipient: string | null;
  subject: CreationOptional<string | null>;
  body: CreationOptional<string>;
  quoted: CreationOptional<string | null>;
  externalId: string;
  status: CreationOptional<string | null>;
  error: CreationOptional<string | null>;
  at: CreationOptional<Date>;
}

export interface AttachmentRow extends Model<InferAttributes<AttachmentRow>, InferCreationAttributes<AttachmentRow>> {
  id: CreationOptional<string>;
  messageId: string | null;
  ticketId: string | null;
  filename: string | null;
  contentType: string | null;
  size: number | null;
  sha256: string | null;
  url: string | null;
  content: CreationOptional<Buffer | null>;
  createdAt: CreationOptional<Date>;
}

export function defineMessages(sequelize: Sequelize) {
  const Message = sequelize.define<MessageRow>(
    'Message',
    {
      id: uuidKey(),
      ticketId: DataTypes.UUID,
      direction: requiredText(),
      channel: requiredText(),
      sender: DataTypes.TEXT,
      recipient: DataTypes.TEXT,
      subject: DataTypes.TEXT,
      body: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
      quoted: DataTypes.TEXT,
      externalId: requiredText(),
      status: DataTypes.TEXT,
      error: DataTypes.TEXT,
      at: createdAt(),
    },
    { tableName: 'messages' },
  );
  const Attachment = sequelize.define<AttachmentRow>(
    'Attachment',
    {
      id: uuidKey(),
      messageId: DataTypes.UUID,
      ticketId: DataTypes.UUID,
      filename: DataTypes.TEXT,
      contentType: DataTypes.TEXT,
      size: DataTypes.INTEGER,
      sha256: DataTypes.TEXT,
      url: DataTypes.TEXT,
      content: DataTypes.BLOB,
      createdAt: createdAt(),
    },
    { tableName: 'attachments' },
  );
  return { Message, Attachment };
}
