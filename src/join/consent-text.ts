// The consent to the processing of personal data an applicant gives on /join: the text shown beside the
// tick and its version, stored with the application and then with the member's consent
// (member_consents.text_version), so that what was agreed to can be read later. A new wording is a new
// version here; applications keep the version they were given under.

export const JOIN_CONSENT_VERSION = 'join-2026-12';

export const JOIN_CONSENT_TEXT = [
  'Я даю согласие Общероссийскому Профсоюзу образования и его организациям на обработку моих персональных данных',
  '(фамилия, имя, отчество, пол, дата рождения, контакты, СНИЛС, место работы или учёбы, должность) в целях',
  'рассмотрения заявления о вступлении в Профсоюз и учёта членства, включая запись, хранение, уточнение и передачу',
  'вышестоящим организациям Профсоюза. Согласие действует до его отзыва; отозвать его можно письменным заявлением',
  'в первичную профсоюзную организацию.',
].join(' ');

export const JOIN_MAILING_TEXT =
  'Я согласен(на) получать рассылки Профсоюза (новости, приглашения на мероприятия) по электронной почте.';
