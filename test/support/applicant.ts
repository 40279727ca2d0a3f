/** The person of the admission tests (the /join form and the API's application), as the form sends them. */
export const APPLICANT = {
  surname: 'Сафина',
  name: 'Алсу',
  patronymic: 'Ринатовна',
  sex: 'f',
  birthDate: '2005-03-14',
  phone: '+7 912 345-67-89',
  category: 'student',
  workplace: 'Казанский федеральный университет',
};
