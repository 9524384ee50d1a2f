import type { Sequelize } from 'sequelize';
import { defineDesk } from './desk.js';
import { defineMessages } from './message.js';
import { defineOutbox } from './outbox.js';
import { definePeople } from './people.js';
import { defineTickets } from './ticket.js';

/** Every model bound to one Sequelize instance; nothing is registered globally. */
export function defineModels(sequelize: Sequelize) {
  return {
    ...definePeople(sequelize),
    ...defineTickets(sequelize),
    ...defineMessages(sequelize),
    ...defineDesk(sequelize),
    ...defineOutbox(sequelize),
  };
}

export type Models = ReturnType<typeof defineModels>;
export type { RequesterRow, TechnicianRow } from './people.js';
export type { OutageRow } from './desk.js';
