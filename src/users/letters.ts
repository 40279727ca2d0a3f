import type { MailMessage } from '../mail/mail.service';
import { TOKEN_LIFETIME_HOURS } from './tokens.repo';

interface Addressee {
  email: string;
  fullName: string;
  username: string;
}

export function invitationLetter(user: Addressee, link: string): MailMessage {
  return {
    to: user.email,
    subject: 'Приглашение в Реестр Профсоюза образования',
    text: [
      `Здравствуйте, ${user.fullName}!`,
      '',
      'Для вас создана учётная запись в Реестре Общероссийского Профсоюза образования.',
      `Имя пользователя: ${user.username}`,
      '',
      'Чтобы задать пароль и войти, откройте ссылку:',
      link,
      '',
      `Ссылка действует ${TOKEN_LIFETIME_HOURS.invitation} часа и только один раз. Если вы не ждали этого письма, просто удалите его.`,
    ].join('\n'),
  };
}

export function resetLetter(user: Addressee, link: string): MailMessage {
  return {
    to: user.email,
    subject: 'Восстановление пароля в Реестре Профсоюза образования',
    text: [
      `Здравствуйте, ${user.fullName}!`,
      '',
      `Для учётной записи ${user.username} запрошено восстановление пароля. Чтобы задать новый пароль, откройте ссылку:`,
      link,
      '',
      `Ссылка действует ${TOKEN_LIFETIME_HOURS.reset} час и только один раз. Если вы не запрашивали восстановление, ничего не делайте: пароль останется прежним.`,
    ].join('\n'),
  };
}
