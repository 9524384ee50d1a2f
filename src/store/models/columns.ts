import { DataTypes } from 'sequelize';

// Column shapes repeated across tables. Functions, not constants: Sequelize writes into the
// definition objects it is given, so one object shared by two columns renames both.
export const uuidKey = () => ({ type: DataTypes.UUID, primaryKey: true, defaultValue: DataTypes.UUIDV4 });
export const textList = () => ({ type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: false, defaultValue: [] });
export const requiredText = () => ({ type: DataTypes.TEXT, allowNull: false });
export const createdAt = () => ({ type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW });
export const updatedAt = () => ({ type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW });
