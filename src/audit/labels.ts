import { formatDate, formatDateTime } from '../shared/format';

// Russian names of the audit log's actions, entities and recorded fields, shared by the organization's
// change journal, the audit viewer, its XLSX export and the member card's journal.

export const ACTION_LABELS: Record<string, string> = {
  'org.created': 'Организация создана',
  'org.passport.updated': 'Изменены общие сведения',
  'org.officer.added': 'Добавлено выборное лицо',
  'org.officer.ended': 'Прекращены полномочия',
  'org.officer.person_set': 'Указан человек выборного лица',
  'org.headcount.saved': 'Указана численность',
  'org.declared_figures.saved': 'Указаны цифры статистического отчёта',
  'org.declared_figures.imported': 'Загружены цифры статистических отчётов',
  'org.agreement.saved': 'Изменены сведения о коллективном договоре',
  'org.agreement.annex_added': 'Добавлено приложение к договору',
  'org.moved': 'Организация перемещена',
  'org.merged': 'Организация присоединена к другой',
  'org.liquidated': 'Организация ликвидирована',
  'org.imported': 'Загрузка организаций',
  'org.exported': 'Выгрузка организаций',
  'grant.withdrawn': 'Отозваны права пользователя',
  'member.viewed': 'Просмотр карточки',
  'member.admitted': 'Принят в Профсоюз',
  'member.updated': 'Изменена карточка',
  'member.transferred': 'Переведён',
  'member.transfer_requested': 'Запрошен перевод',
  'member.left': 'Выбыл из Профсоюза',
  'member.readmitted': 'Восстановлен в Профсоюзе',
  'member.category_changed': 'Изменена категория',
  'member.merged': 'Объединены карточки-дубликаты',
  'member.exported': 'Выгрузка списка членов',
  'member.import_committed': 'Загрузка членов',
  'member.matched_elsewhere': 'Найден дубликат в другой организации',
  'member.duplicate_check_refused': 'Проверка дубликатов отклонена (лимит)',
  'member.correction_proposed': 'Предложено исправление карточки (личный кабинет)',
  'member.leave_requested': 'Подано заявление о выходе (личный кабинет)',
  'member.request_approved': 'Принято исправление или заявление члена Профсоюза',
  'member.request_rejected': 'Отклонено исправление или заявление члена Профсоюза',
  'member.own_data_exported': 'Выгрузка своих данных членом Профсоюза',
  'card.requested': 'Заказан профсоюзный билет',
  'card.moved': 'Изменён статус билета',
  'card.batch_moved': 'Изменён статус партии билетов',
  'card.checked': 'Проверка профсоюзного билета',
  'join.applied': 'Подано заявление о вступлении онлайн',
  'join.viewed': 'Просмотр заявления о вступлении',
  'join.accepted': 'Заявление о вступлении принято',
  'join.rejected': 'Заявление о вступлении отклонено',
  'join.routed_to_transfer': 'Заявление о вступлении направлено на перевод',
  'member.email_invalid': 'Адрес e-mail отмечен недействительным (письмо не доставлено)',
  'org.email_invalid': 'Адрес e-mail организации отмечен недействительным (письмо не доставлено)',
  'mailing.sent': 'Отправлена рассылка',
  'library.document_created': 'Добавлен документ библиотеки',
  'library.document_updated': 'Изменены сведения о документе библиотеки',
  'library.version_added': 'Загружена новая версия документа библиотеки',
  'library.document_downloaded': 'Скачан документ библиотеки с ограниченным доступом',
  'officer.file.viewed': 'Просмотр личного дела выборного лица',
  'officer.file.entry_added': 'Добавлена запись в личное дело выборного лица',
  'officer.file.entry_updated': 'Изменена запись личного дела выборного лица',
  'officer.file.entry_deleted': 'Удалена запись из личного дела выборного лица',
  'officer.file.notes_updated': 'Изменены примечания личного дела выборного лица',
  'officer.file.document_attached': 'Приложен документ к личному делу выборного лица',
  'officer.file.document_removed': 'Удалён документ из личного дела выборного лица',
  'officer.file.document_downloaded': 'Скачан документ личного дела выборного лица',
  'survey.created': 'Создан опрос',
  'survey.updated': 'Изменён опрос',
  'survey.published': 'Опубликован опрос',
  'survey.answered': 'Отправлены ответы на опрос',
  'campaign.declared': 'Объявлена отчётно-выборная кампания',
  'campaign.result_recorded': 'Внесены итоги отчётов и выборов',
  'campaign.postponed': 'Отчётно-выборное собрание перенесено',
  'term_rule.changed': 'Изменён срок полномочий',
  'consent.given': 'Дано согласие',
  'consent.withdrawn': 'Отозвано согласие',
  'person.created': 'Добавлен человек (не член Профсоюза)',
  'person.updated': 'Изменены данные человека',
  'person.depersonalised': 'Обезличены персональные данные',
  'report.filed': 'Отчёт сдан',
  'report.accepted': 'Отчёт принят',
  'report.returned': 'Отчёт возвращён',
  'report.reopened': 'Отчёт открыт повторно',
  'form.uploaded': 'Загружена версия формы',
  'form.activated': 'Включена версия формы',
  'template.uploaded': 'Загружена версия шаблона документа',
  'document.generated': 'Сформирован документ по шаблону',
  'user.password_changed': 'Сменён пароль',
  'user.second_factor_enrolled': 'Подключён второй фактор',
  'user.second_factor_reset': 'Сброшен второй фактор (самим пользователем)',
  'user.second_factor_reset_by_admin': 'Сброшен второй фактор администратором',
  'user.recovery_code_used': 'Вход по резервному коду',
  'user.session_ended': 'Завершён сеанс',
  'user.api_token_created': 'Создан токен доступа к API',
  'user.api_token_revoked': 'Отозван токен доступа к API',
  'audit.exported': 'Выгрузка журнала аудита',
  'user.created': 'Создан пользователь',
  'user.updated': 'Изменены данные пользователя',
  'user.deleted': 'Удалён пользователь',
  'user.blocked': 'Пользователь заблокирован',
  'user.unblocked': 'Пользователь разблокирован',
  'user.invited': 'Отправлено приглашение',
  'user.invitation_accepted': 'Принято приглашение, задан пароль',
  'user.reset_requested': 'Запрошено восстановление пароля',
  'user.password_reset': 'Пароль восстановлен по ссылке',
  'user.logged_in': 'Вход в систему',
  'user.chairs_exported': 'Выгрузка логинов председателей',
  'grant.added': 'Выдана роль',
  'grant.revoked': 'Отозвана роль',
  'meeting.created': 'Назначено собрание',
  'meeting.opened': 'Собрание открыто',
  'meeting.participants_invited': 'Приглашены участники собрания',
  'meeting.attendance_registered': 'Зарегистрирован на собрании',
  'meeting.remote_links_sent': 'Разосланы ссылки для дистанционной регистрации',
  'meeting.decision_recorded': 'Записано решение собрания',
  'meeting.closed': 'Собрание закрыто, сформирован протокол',
  'member.meeting_linked': 'Приём или выход связан с протоколом собрания',
};

/** The entity filter of the viewer: what a person means by "an organization" covers its officers and annexes. */
export const ENTITY_GROUPS = {
  member: { label: 'Член Профсоюза', entities: ['member', 'join_application'] },
  organization: {
    label: 'Организация',
    entities: ['organization', 'org_officer', 'officer_file', 'agreement_annex', 'person'],
  },
  report: { label: 'Отчёт', entities: ['report', 'form_version', 'document_template'] },
  user: { label: 'Пользователь', entities: ['user'] },
} as const;
export type EntityGroup = keyof typeof ENTITY_GROUPS;

export const ENTITY_LABELS: Record<string, string> = {
  member: 'Член Профсоюза',
  join_application: 'Заявление о вступлении',
  organization: 'Организация',
  library_document: 'Документ библиотеки',
  org_officer: 'Выборное лицо',
  officer_file: 'Личное дело выборного лица',
  agreement_annex: 'Приложение к договору',
  person: 'Человек',
  report: 'Отчёт',
  form_version: 'Форма',
  document_template: 'Шаблон документа',
  user: 'Пользователь',
  audit: 'Журнал аудита',
  mailing: 'Рассылка',
  survey: 'Опрос',
  survey_response: 'Ответы на опрос',
  campaign: 'Отчётно-выборная кампания',
  term_rule: 'Срок полномочий',
  meeting: 'Собрание',
};

export const FIELD_LABELS: Record<string, string> = {
  surname: 'Фамилия',
  name: 'Имя',
  tokenName: 'Название токена',
  scopes: 'Права токена',
  expiresAt: 'Действует до',
  patronymic: 'Отчество',
  sex: 'Пол',
  birthDate: 'Дата рождения',
  phone: 'Телефон',
  email: 'E-mail',
  snils: 'СНИЛС',
  position: 'Должность',
  professionalGroup: 'Профессиональная группа',
  studyForm: 'Форма обучения',
  studyYear: 'Курс',
  category: 'Категория',
  isPedagogical: 'Педагогический работник',
  onParentalLeave: 'В отпуске по уходу за ребёнком',
  joinedOn: 'Дата вступления',
  on: 'Дата',
  reason: 'Причина',
  organization: 'Организация',
  to: 'Куда',
  from: 'Откуда',
  documentNumber: 'Номер документа',
  documentDate: 'Дата документа',
  shortName: 'Краткое наименование',
  employerKind: 'Тип работодателя',
  employerName: 'Наименование работодателя',
  employerInn: 'ИНН работодателя',
  address: 'Адрес',
  website: 'Сайт',
  primaryForm: 'Форма статотчёта',
  hasTerritorialRights: 'Права территориальной',
  inpo: 'ИНПО',
  parentInpo: 'Вышестоящая организация',
  level: 'Уровень',
  post: 'Должность',
  electedOn: 'Дата избрания',
  termUntil: 'Срок полномочий до',
  endedOn: 'Дата окончания',
  salaried: 'Освобождённый',
  asOf: 'На дату',
  status: 'Статус',
  signedOn: 'Дата подписания',
  validFrom: 'Действует с',
  validTo: 'Действует по',
  noneReason: 'Причина отсутствия',
  registrationNumber: 'Регистрационный номер',
  registrationDate: 'Дата регистрации',
  title: 'Название',
  employeesTotal: 'Работников всего',
  employeesPedagogical: 'Педагогических работников',
  studentsTotal: 'Обучающихся',
  institutionsTotal: 'Учреждений',
  rows: 'Строк',
  format: 'Формат',
  filter: 'Фильтр',
  background: 'Фоновая выгрузка',
  aborted: 'Прервана',
  created: 'Создано',
  updated: 'Изменено',
  source: 'Источник',
  matches: 'Совпадений',
  number: 'Номер',
  kind: 'Вид',
  cards: 'Билетов',
  channel: 'Канал',
  consentId: 'Согласие',
  actor: 'Кто',
  note: 'Примечание',
  requestId: 'Запрос',
  formCode: 'Форма',
  date: 'Дата',
  versionNumber: 'Версия',
  comment: 'Комментарий',
  code: 'Код',
  version: 'Версия',
  mergedInto: 'Присоединена к',
  childrenMoved: 'Перенесено подразделений',
  membersMoved: 'Перенесено членов',
  transferTo: 'Члены переданы в',
  organizations: 'Организаций',
  activeMembers: 'Членов на учёте',
  parentId: 'Вышестоящая организация',
  mergedCard: 'Объединённая карточка',
  periodsDropped: 'Удалено периодов',
  retentionYears: 'Срок хранения, лет',
  cleared: 'Фактор был подключён',
  device: 'Устройство',
  ip: 'IP-адрес',
  cardId: 'Билет',
  organizationInpo: 'ИНПО организации',
  memberId: 'Карточка члена Профсоюза',
  personId: 'Человек (не член Профсоюза)',
  protocolNumber: 'Номер протокола',
  protocolDate: 'Дата протокола',
  trainedOn: 'Дата обучения',
  role: 'Роль',
  validUntil: 'Действует до',
  fullName: 'ФИО',
  username: 'Логин',
  proposerUserId: 'Предложил (пользователь)',
  proposedBy: 'Предложил',
  // report-and-election campaigns and the terms of office
  startsOn: 'Начало кампании',
  endsOn: 'Окончание кампании',
  deadlines: 'Сроки по уровням',
  tasks: 'Организаций в кампании',
  outcome: 'Итог',
  bodyKind: 'Собрание или конференция',
  heldOn: 'Дата проведения',
  chairOfficerId: 'Избранный председатель (запись)',
  committee: 'Избрано членов профкома',
  postponedTo: 'Перенесено на',
  postponedReason: 'Причина переноса',
  deadline: 'Срок',
  years: 'Срок полномочий, лет',
  termsMoved: 'Пересчитано сроков полномочий',
  section: 'Раздел личного дела',
  entryId: 'Запись',
  fileId: 'Личное дело',
  institution: 'Учебное заведение',
  graduatedYear: 'Год окончания',
  speciality: 'Специальность',
  startedOn: 'Начало',
  course: 'Программа обучения',
  organizer: 'Организатор',
  hours: 'Часов',
  certificateNumber: 'Номер удостоверения',
  awardedOn: 'Дата награждения',
  decision: 'Решение',
  organizationId: 'Организация',
  since: 'С',
  until: 'По',
  removedReason: 'Причина исключения',
  notes: 'Примечания',
  documentId: 'Документ',
  fileName: 'Файл',
  sha256: 'Контрольная сумма',
};

export interface FieldChange {
  field: string;
  old: string | null;
  new: string | null;
  /** Where the value leads when it names something the reader can open (an organization). */
  oldHref?: string;
  newHref?: string;
}

/** A recorded value as people read it: its Russian name, and a page when it names an organization. */
export interface ShownValue {
  text: string;
  href?: string;
}

/** Names a field's recorded code ('primary', 'chair', an organization's id) or answers undefined to show it as it is. */
export type ValueNamer = (field: string, value: unknown) => ShownValue | undefined;

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function shown(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'да' : 'нет';
  if (typeof value === 'object') return JSON.stringify(value);
  const text = String(value);
  if (ISO_DAY.test(text)) return formatDate(text);
  if (ISO_INSTANT.test(text) && !Number.isNaN(Date.parse(text))) return formatDateTime(new Date(text));
  return text;
}

function side(
  key: string,
  values: Record<string, unknown> | null,
  nameValue: ValueNamer | undefined,
): ShownValue | null {
  if (!values || !(key in values)) return null;
  const value = values[key];
  return (value == null || value === '' ? undefined : nameValue?.(key, value)) ?? { text: shown(value) };
}

/**
 * old → new per field, in Russian field names and values; a field present on one side only shows nothing on
 * the other. Without a namer the codes of dictionaries and organizations' ids are shown as recorded.
 */
export function describeChanges(
  oldValues: Record<string, unknown> | null,
  newValues: Record<string, unknown> | null,
  nameValue?: ValueNamer,
): FieldChange[] {
  const keys = [...new Set([...Object.keys(oldValues ?? {}), ...Object.keys(newValues ?? {})])];
  return keys.map((key) => {
    const [old, now] = [side(key, oldValues, nameValue), side(key, newValues, nameValue)];
    return {
      field: FIELD_LABELS[key] ?? key,
      old: old?.text ?? null,
      new: now?.text ?? null,
      ...(old?.href ? { oldHref: old.href } : {}),
      ...(now?.href ? { newHref: now.href } : {}),
    };
  });
}

export const actionLabel = (action: string) => ACTION_LABELS[action] ?? action;
