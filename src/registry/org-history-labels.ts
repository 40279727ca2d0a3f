/** The organization's journal: each audited action as its history tab names it. */
export const ORG_AUDIT_LABELS: Record<string, string> = {
  'org.created': 'Организация создана',
  'org.passport.updated': 'Изменены общие сведения',
  'org.officer.added': 'Добавлено выборное лицо',
  'org.officer.ended': 'Прекращены полномочия',
  'org.officer.person_set': 'Указан человек выборного лица',
  'org.headcount.saved': 'Указана численность',
  'org.agreement.saved': 'Изменены сведения о коллективном договоре',
  'org.agreement.annex_added': 'Добавлено приложение к договору',
  'org.moved': 'Организация перемещена',
  'org.merged': 'Организация присоединена к другой',
  'org.liquidated': 'Организация ликвидирована',
  'grant.withdrawn': 'Отозваны права пользователя',
};
