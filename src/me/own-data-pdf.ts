import { fullName } from '../shared/format';
import { dateTimeText } from '../shared/dates';
import { bufferedPdf } from '../shared/pdf-fonts';
import type { OwnRows } from './own-data.repo';

// The member's own data as an A4 PDF with DejaVu Sans embedded (as the reports' PDFs), one section per
// table in Russian, each row its stored columns as «column: value» — what the JSON holds, to read.

export const OWN_TABLE_TITLES: Record<string, string> = {
  members: 'Карточка члена Профсоюза',
  member_periods: 'Периоды членства',
  membership_events: 'События членства',
  member_consents: 'Согласия',
  union_cards: 'Профсоюзные билеты',
  union_card_events: 'События профсоюзных билетов',
  transfer_requests: 'Запросы на перевод',
  member_requests: 'Исправления и заявления из личного кабинета',
  org_officers: 'Выборные должности',
  officer_files: 'Личное дело выборного лица',
  officer_education: 'Личное дело: образование',
  officer_experience: 'Личное дело: работа в Профсоюзе',
  officer_trainings: 'Личное дело: обучение',
  officer_awards: 'Личное дело: награды',
  officer_reserve: 'Личное дело: кадровый резерв',
  officer_documents: 'Личное дело: документы',
  depersonalisation_journal: 'Обезличивание',
  professional_group_unmatched: 'Профессиональная группа, не найденная в справочнике',
  join_applications: 'Заявления о вступлении онлайн',
  survey_member_targets: 'Опросы, направленные вам',
  survey_respondents: 'Опросы, на которые вы ответили',
  survey_member_answers: 'Ваши ответы на неанонимные опросы',
  survey_member_drafts: 'Черновики ваших ответов на опросы',
  meeting_participants: 'Собрания, в которых вы участвовали, и регистрация на них',
  unsubscribe_tokens: 'Ссылки отписки из писем',
  users: 'Учётные записи',
  role_grants: 'Роли учётных записей',
  notifications: 'Уведомления',
  sessions: 'Открытые сеансы входа',
  mail_outbox: 'Письма на ваши адреса',
  mailing_recipients: 'Рассылки Профсоюза',
  audit_log: 'Журнал действий с вашими данными',
};

function shown(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (value instanceof Date) return dateTimeText(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function renderOwnDataPdf(
  member: Record<string, unknown>,
  tables: OwnRows,
  generatedAt: string,
): Promise<Buffer> {
  const { doc, done } = bufferedPdf({
    margin: 40,
    info: { Title: 'Мои данные в реестре', Author: 'Реестр Профсоюза образования' },
  });
  doc.font('bold').fontSize(14).text('Мои данные в реестре Профсоюза образования');
  doc.font('regular').fontSize(10);
  doc.text(fullName(member as { surname: string; name: string; patronymic: string | null }));
  doc.text(`Сформировано ${dateTimeText(new Date(generatedAt))} по ст. 14 Федерального закона № 152-ФЗ`);
  for (const [table, rows] of Object.entries(tables)) {
    doc
      .moveDown(0.8)
      .font('bold')
      .fontSize(11)
      .text(`${OWN_TABLE_TITLES[table] ?? table} (${rows.length})`);
    doc.font('regular').fontSize(8);
    if (!rows.length) doc.text('нет записей');
    for (const row of rows) {
      doc.moveDown(0.3).text(
        Object.entries(row)
          .map(([k, v]) => `${k}: ${shown(v)}`)
          .join('; '),
      );
    }
  }
  doc.end();
  return done;
}
