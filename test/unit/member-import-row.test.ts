import { describe, expect, it } from 'vitest';
import { parseForm } from '../../src/http/forms';
import { parseAdmissionRow } from '../../src/members/import/member-import';
import { admissionSchema } from '../../src/members/members.schemas';

const good = {
  surname: 'Иванова',
  name: 'Мария',
  patronymic: '',
  sex: 'f',
  birthDate: '15.03.1985',
  category: 'working',
  isPedagogical: 'on',
  position: 'Учитель',
  phone: '',
  email: '',
  snils: '',
  organizationInpo: '7700000017',
  joinedOn: '01.09.2010',
  notDuplicate: 'on',
};

describe('an imported row, parsed as the admission form is', () => {
  it("when a row is right, then it gives the admission form's data, split into the card and the terms", () => {
    const row = parseAdmissionRow(good);
    const form = parseForm(admissionSchema, good);
    expect(row.ok && form.ok).toBe(true);
    if (row.ok && form.ok) expect({ ...row.card, ...row.terms }).toEqual(form.data);
  });

  it.each([
    ['both halves wrong', { surname: 'Smith', birthDate: '31.02.1980', organizationInpo: '12', joinedOn: '' }],
    ['a student on a pedagogical post and no joining date', { category: 'student', joinedOn: 'вчера' }],
    ['only the terms wrong', { organizationInpo: 'abc' }],
    ['an e-mail, a phone and a SNILS that are not', { email: 'не-почта', phone: '12', snils: '123-456-789 00' }],
  ])("when %s, then the errors are the admission form's, in its order", (_, change) => {
    const input = { ...good, ...change };
    const row = parseAdmissionRow(input);
    const form = parseForm(admissionSchema, input);
    expect(row.ok).toBe(false);
    expect(row.ok ? [] : row.errors).toEqual(form.ok ? [] : form.errors);
  });
});
