// The check of an uploaded document template (src/templates/templates.schemas.ts): its messages name what is
// wrong and the line of the uploaded text it is on; the shipped templates pass it.
import { describe, expect, it } from 'vitest';
import { readDefaultTemplates } from '../../src/templates/default-templates';
import { checkTemplate, fillText, TEMPLATE_KINDS } from '../../src/templates/templates.schemas';

const check = (value: unknown) => {
  const text = JSON.stringify(value, null, 2);
  return checkTemplate(text, JSON.parse(text));
};
const template = (blocks: unknown[], kind = 'certificate') => ({ kind, title: 'Справка', blocks });

describe('template check', () => {
  it('when the shipped templates are checked, then each passes and there is one per kind', () => {
    const shipped = readDefaultTemplates().map(({ file, text }) => {
      const result = checkTemplate(text, JSON.parse(text));
      expect(result, file).toMatchObject({ ok: true });
      return result.ok ? result.body.kind : '';
    });
    expect(shipped.sort()).toEqual(Object.keys(TEMPLATE_KINDS).sort());
  });

  it('when a field belongs to another kind, a brace is left open or the block is unknown, then each is named', () => {
    expect(check(template([{ type: 'paragraph', text: 'Адрес: {{organization.address}}' }]))).toEqual({
      ok: false,
      errors: [
        expect.stringMatching(
          /^Строка 7: неизвестное поле \{\{organization\.address\}\}: в шаблоне «Справка о членстве/,
        ),
      ],
    });
    expect(check(template([{ type: 'heading', text: 'Справка {{member.surname' }]))).toEqual({
      ok: false,
      errors: [expect.stringContaining('незакрытая подстановка')],
    });
    expect(check(template([{ type: 'table', text: 'x' }]))).toMatchObject({
      ok: false,
      errors: [expect.stringContaining('блок должен быть heading, paragraph, fields, signatures или qr')],
    });
    expect(check(template([{ type: 'qr', value: '{{card.number}} {{card.checkUrl}}' }]))).toMatchObject({
      ok: false,
      errors: ['qr: в QR-код подставляется одно поле, например {{card.checkUrl}}'],
    });
  });

  it('when a value is empty, then the text leaves a line to fill in by hand', () => {
    expect(fillText('Должность: {{ member.position }}', { 'member.position': null })).toBe('Должность: ____________');
  });
});
