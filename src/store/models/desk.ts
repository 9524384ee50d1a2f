import {
  DataTypes,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Model,
  type Sequelize,
} from 'sequelize';
import type { Tier } from '../../domain/values.js';
import { createdAt, requiredText, textList, updatedAt, uuidKey } from './columns.js';

/** The desk's reference data: categories, outages and the editable routing rules. */

export interface CategoryRow extends Model<InferAttributes<CategoryRow>, InferCreationAttributes<CategoryRow>> {
  name: string;
  requiredSkills: CreationOptional<string[]>;
  startingTier: CreationOptional<Tier>;
  createdAt: CreationOptional<Date>;
}

export interface OutageRow extends Model<InferAttributes<OutageRow>, InferCreationAttributes<OutageRow>> {
  id: CreationOptional<string>;
  title: string;
  message: string;
  category: string | null;
  since: CreationOptional<Date>;
  until: Date | null;
  /** The title and message in other languages (migration 050); read through outage-repository's translationsOf. */
  translations: CreationOptional<Record<string, unknown>>;
  createdAt: CreationOptional<Date>;
}

export interface SettingRow extends Model<InferAttributes<SettingRow>, InferCreationAttributes<SettingRow>> {
  key: string;
  value: unknown;
  updatedAt: CreationOptional<Date>;
}

export function defineDesk(sequelize: Sequelize) {
  const Category = sequelize.define<CategoryRow>(
    'Category',
    {
      name: { type: DataTypes.TEXT, primaryKey: true },
      requiredSkills: textList(),
      startingTier: { type: DataTypes.SMALLINT, allowNull: false, defaultValue: 1 },
      createdAt: createdAt(),
    },
    { tableName: 'categories' },
  );
  const Outage = sequelize.define<OutageRow>(
    'Outage',
    {
      id: uuidKey(),
      title: requiredText(),
      message: requiredText(),
      category: DataTypes.TEXT,
      since: createdAt(),
      until: DataTypes.DATE,
      translations: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      createdAt: createdAt(),
    },
    { tableName: 'outages' },
  );
  const Setting = sequelize.define<SettingRow>(
    'Setting',
    {
      key: { type: DataTypes.TEXT, primaryKey: true },
      value: { type: DataTypes.JSONB, allowNull: false },
      updatedAt: updatedAt(),
    },
    { tableName: 'settings' },
  );
  return { Category, Outage, Setting };
}
