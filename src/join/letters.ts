import type { MailMessage } from '../mail/mail.service';

interface Applicant {
  email: string;
  name: string;
  patronymic: string | null;
}

const greeting = (a: Applicant) => `Здравствуйте, ${[a.name, a.patronymic].filter(Boolean).join(' ')}!`;

export const CONFIRM_DAYS = 7;

export function confirmationLetter(a: Applicant, orgName: string, link: string): MailMessage {
  return {
    to: a.email,
    subject: 'Подтвердите заявление о вступлении в Профсоюз образования',
    text: [
      greeting(a),
      '',
      `Вы подали заявление о вступлении в Профсоюз в организацию «${orgName}».`,
      'Чтобы председатель получил заявление, подтвердите адрес электронной почты по ссылке:',
      link,
      '',
      `Ссылка действует ${CONFIRM_DAYS} дней. Если вы не подавали заявление, просто удалите это письмо.`,
    ].join('\n'),
  };
}

/** A letter about the decision on an application: its subject, the greeting, then `lines`. */
function decisionLetter(a: Applicant, lines: string[]): MailMessage {
  return {
    to: a.email,
    subject: 'Ваше заявление о вступлении в Профсоюз образования',
    text: [greeting(a), '', ...lines].join('\n'),
  };
}

export function rejectionLetter(a: Applicant, orgName: string, reason: string): MailMessage {
  return decisionLetter(a, [
    `Ваше заявление о вступлении в Профсоюз в организацию «${orgName}» отклонено.`,
    `Причина: ${reason}`,
    '',
    'Если у вас есть вопросы, обратитесь к председателю первичной профсоюзной организации.',
  ]);
}

export function transferLetter(a: Applicant, orgName: string): MailMessage {
  return decisionLetter(a, [
    `Вы подали заявление о вступлении в Профсоюз в организацию «${orgName}», но уже состоите на учёте в другой`,
    'организации Профсоюза. Новое вступление не нужно: нужен перевод. Обратитесь к председателю организации, где вы',
    'состоите на учёте сейчас: он оформит запрос на перевод, и после его принятия вы будете на учёте в новой организации.',
  ]);
}
