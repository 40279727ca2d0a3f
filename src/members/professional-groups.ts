/**
 * The union's professional groups of working members, in the order the card form lists them. The table
 * professional_groups holds the same names (migration create-professional-groups) and the cards reference it;
 * test/integration/professional-groups.test.ts fails when the two differ.
 */
export const PROFESSIONAL_GROUPS = [
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
] as const;
