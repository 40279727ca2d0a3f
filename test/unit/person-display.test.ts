import { describe, expect, it } from 'vitest';
import { formatPhone, formatSnils } from '../../src/shared/format';
import { capitalizePersonName } from '../../src/shared/person-names';
import { personSchema } from '../../src/members/members.schemas';
import { maskPhone } from '../../src/members/contact-masks';

describe('SNILS and phones as people write them', () => {
  it('when a stored SNILS is shown, then it reads 112-233-445 95; anything else is shown as stored', () => {
    expect(formatSnils('11223344595')).toBe('112-233-445 95');
    expect(formatSnils('123')).toBe('123');
    expect(formatSnils(null)).toBe('');
  });

  it('when a stored phone is shown, then it reads +7 (917) 123-45-67, and masked the same way', () => {
    expect(formatPhone('+79171234567')).toBe('+7 (917) 123-45-67');
    expect(formatPhone('8 800')).toBe('8 800');
    expect(formatPhone(undefined)).toBe('');
    expect(maskPhone('+79171234567')).toBe('+7 (***) ***-45-67');
  });
});

describe('capitalisation of Cyrillic names', () => {
  it.each([
    ['семенов борис петрович', 'Семенов Борис Петрович'],
    ['АБРАМОВА-ПЕТРОВА НИНА', 'Абрамова-Петрова Нина'],
    ['  сЕМЁНОВА   ёлка ', 'Семёнова Ёлка'],
    ['мамедов ильхам алиевич', 'Мамедов Ильхам Алиевич'],
    ['АЛИЕВ ОГЛЫ', 'Алиев оглы'],
    ['гейдар кызы', 'Гейдар кызы'],
    ['турсун-ЗАДЕ', 'Турсун-заде'],
    ['ВАН', 'Ван'],
  ])('when «%s» is typed, then «%s» is stored', (typed, stored) => {
    expect(capitalizePersonName(typed)).toBe(stored);
  });

  it('when the card form is parsed, then every name part is capitalised and a double space is no error', () => {
    const parsed = personSchema.parse({
      surname: 'АБРАМОВА-ПЕТРОВА',
      name: 'нина',
      patronymic: 'ильхам  кызы',
      sex: 'f',
      birthDate: '1980-01-01',
    });
    expect(parsed).toMatchObject({ surname: 'Абрамова-Петрова', name: 'Нина', patronymic: 'Ильхам кызы' });
    expect(personSchema.safeParse({ surname: 'Smith', name: 'Нина', sex: 'f', birthDate: '1980-01-01' }).success).toBe(
      false,
    );
  });
});
