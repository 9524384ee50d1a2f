import {
  DataTypes,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Model,
  type Sequelize,
} from 'sequelize';
import type { Language, Tier } from '../../domain/values.js';
import { createdAt, requiredText, textList, updatedAt, uuidKey } from './columns.js';

export interface RequesterRow extends Model<InferAttributes<RequesterRow>, InferCreationAttributes<RequesterRow>> {
  id: CreationOptional<string>;
  name: string | null;
  emails: CreationOptional<string[]>;
  phones: CreationOptional<string[]>;
  language: Language | null;
  vip: CreationOptional<boolean>;
  createdAt: CreationOptional<Date>;
  updatedAt: CreationOptional<Date>;
}

export interface TechnicianRow extends Model<InferAttributes<TechnicianRow>, InferCreationAttributes<TechnicianRow>> {
  id: CreationOptional<string>;
  name: string;
  email: string | null;
  phone: string | null;
  language: CreationOptional<Language>;
  tier: Tier;
  skills: CreationOptional<string[]>;
  maxLoad: CreationOptional<number>;
  available: CreationOptional<boolean>;
  onCall: CreationOptional<boolean>;
  shift: string | null;
  lastAssignedAt: CreationOptional<Date | null>;
  deletedAt: CreationOptional<Date | null>;
  createdAt: CreationOptional<Date>;
  updatedAt: CreationOptional<Date>;
}

export interface ApiTokenRow extends Model<InferAttributes<ApiTokenRow>, InferCreationAttributes<ApiTokenRow>> {
  id: CreationOptional<string>;
  tokenHash: string;
  role: 'coordinator' | 'technician';
  technicianId: string | null;
  createdAt: CreationOptional<Date>;
  revokedAt: CreationOptional<Date | null>;
}

export function definePeople(sequelize: Sequelize) {
  const Requester = sequelize.define<RequesterRow>(
    'Requester',
    {
      id: uuidKey(),
      name: DataTypes.TEXT,
      emails: textList(),
      phones: textList(),
      language: DataTypes.TEXT,
      vip: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      createdAt: createdAt(),
      updatedAt: updatedAt(),
    },
    { tableName: 'requesters' },
  );
  const Technician = sequelize.define<TechnicianRow>(
    'Technician',
    {
      id: uuidKey(),
      name: requiredText(),
      email: DataTypes.TEXT,
      phone: DataTypes.TEXT,
      language: { type: DataTypes.TEXT, allowNull: false, defaultValue: 'fr' },
      tier: { type: DataTypes.SMALLINT, allowNull: false },
      skills: textList(),
      maxLoad: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 5 },
      available: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      onCall: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      shift: DataTypes.TEXT,
      lastAssignedAt: DataTypes.DATE,
      deletedAt: DataTypes.DATE,
      createdAt: createdAt(),
      updatedAt: updatedAt(),
    },
    { tableName: 'technicians' },
  );
  const ApiToken = sequelize.define<ApiTokenRow>(
    'ApiToken',
    {
      id: uuidKey(),
      tokenHash: requiredText(),
      role: requiredText(),
      technicianId: DataTypes.UUID,
      createdAt: createdAt(),
      revokedAt: DataTypes.DATE,
    },
    { tableName: 'api_tokens' },
  );
  return { Requester, Technician, ApiToken };
}
