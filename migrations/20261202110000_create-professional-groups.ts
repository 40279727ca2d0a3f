// Issue 17, item 4: a working member's professional group was free text; it becomes a choice from the union's
// list (this table), which the cards reference by name (20261202110300). The list is the application's
// PROFESSIONAL_GROUPS (src/members/professional-groups.ts), copied here as a landed migration keeps its data.
import type { Knex } from 'knex';

const GROUPS = [
  'Педагогические работники',
  'Руководители образовательных организаций и их заместители',
  'Профессорско-преподавательский состав',
  'Научные работники',
  'Учебно-вспомогательный персонал',
  'Административно-хозяйственный персонал',
  'Обслуживающий персонал',
  'Медицинские работники',
  'Работники органов управления образованием',
  'Работники аппаратов профсоюзных организаций',
  'Иные работники',
];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE professional_groups (
      name text PRIMARY KEY,
      position smallint NOT NULL UNIQUE
    )`);
  await knex.raw(
    `INSERT INTO professional_groups (name, position) SELECT name, position::smallint FROM unnest(?::text[]) WITH ORDINALITY AS g(name, position)`,
    [GROUPS],
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE professional_groups');
}
