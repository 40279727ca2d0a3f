/** How a user hears of a kind of event: by e-mail and in the list on the home page, only in the list, or not at all. */
export type Channel = 'email' | 'app' | 'none';

export const CHANNEL_LABELS: Record<Channel, string> = {
  email: 'по почте и в реестре',
  app: 'только в реестре',
  none: 'не уведомлять',
};

/**
 * Every kind of notification with its label on /account and the channel a user has until they choose.
 * A new kind (an admission application waiting, a correction proposed) is a line here and a call of
 * `notify` where its event happens: preferences and the list take it without a migration.
 */
export const NOTIFICATION_KINDS = {
  report_returned: { label: 'Отчёт возвращён на доработку', channel: 'email' },
  report_accepted: { label: 'Отчёт принят', channel: 'app' },
  report_filed: { label: 'Подчинённая организация сдала отчёт', channel: 'app' },
  filing_due: { label: 'Срок сдачи отчёта через 3 дня, а отчёт не сдан', channel: 'email' },
  filing_overdue: { label: 'Отчёт не сдан в срок', channel: 'email' },
  transfer_received: { label: 'Поступил запрос на перевод члена Профсоюза', channel: 'email' },
  transfer_decided: { label: 'По вашему запросу на перевод принято решение', channel: 'app' },
  export_finished: { label: 'Фоновая выгрузка готова', channel: 'app' },
  application_waiting: { label: 'Поступило заявление о вступлении в Профсоюз', channel: 'email' },
  chair_term_ending: { label: 'Срок полномочий председателя истекает через 60 дней', channel: 'email' },
  member_request_received: {
    label: 'Член Профсоюза прислал исправление своих данных или заявление о выходе',
    channel: 'email',
  },
  survey_published: { label: 'Организации предстоит ответить на опрос', channel: 'app' },
  member_request_decided: { label: 'По вашему исправлению или заявлению принято решение', channel: 'email' },
  campaign_declared: {
    label: 'Объявлена отчётно-выборная кампания: организации предстоит собрание (конференция)',
    channel: 'email',
  },
  campaign_due: { label: 'Через неделю срок отчётно-выборного собрания, а итоги не внесены', channel: 'email' },
  campaign_overdue: { label: 'Итоги отчётно-выборного собрания не внесены в срок', channel: 'email' },
} as const satisfies Record<string, { label: string; channel: Channel }>;

export type NotificationKind = keyof typeof NOTIFICATION_KINDS;
export const KIND_NAMES = Object.keys(NOTIFICATION_KINDS) as NotificationKind[];
