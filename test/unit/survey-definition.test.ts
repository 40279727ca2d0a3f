import { describe, expect, it } from 'vitest';
import {
  EXAMPLE_DEFINITION,
  parseDefinition,
  publishedChangeRefusal,
  readAnswers,
  type Definition,
} from '../../src/surveys/survey-definition';

// A questionnaire is data checked on every save, and answers are checked against it on the server.

const example = (): Definition => structuredClone(EXAMPLE_DEFINITION);

describe('the questionnaire definition', () => {
  it('when the example is read, then it is valid', () => {
    expect(parseDefinition(JSON.stringify(example())).ok).toBe(true);
  });

  it('when a condition names a later, unknown or optionless question or a missing option, then it says which', () => {
    const d = example();
    d.sections[0]!.questions[1]!.showIf = { question: 'agreement', answer: 'Возможно' };
    expect(parseDefinition(JSON.stringify(d))).toEqual({
      ok: false,
      message: 'Вопрос «reason»: в вопросе «agreement» нет варианта «Возможно» (раздел 1, вопрос 2, showIf)',
    });
    d.sections[0]!.questions[1]!.showIf = { question: 'meetings', answer: 'Да' };
    expect(parseDefinition(JSON.stringify(d))).toMatchObject({ ok: false, message: /вопрос с вариантами выше него/ });
  });

  it('when ids repeat or the text is not JSON, then the message says so', () => {
    const d = example();
    d.sections[1]!.questions[0]!.id = 'agreement';
    expect(parseDefinition(JSON.stringify(d))).toMatchObject({ ok: false, message: /«agreement» повторяется/ });
    expect(parseDefinition('{sections')).toMatchObject({ ok: false, message: /Анкета — не JSON/ });
  });

  it('when a published questionnaire changes, then only options appended at the end pass', () => {
    const more = example();
    (more.sections[0]!.questions[2]! as { options: string[] }).options.push('Жильё');
    expect(publishedChangeRefusal(example(), more)).toBeNull();
    const reordered = example();
    (reordered.sections[0]!.questions[2]! as { options: string[] }).options.reverse();
    expect(publishedChangeRefusal(example(), reordered)).toMatch(/«topics».*только добавить в конец/);
    const retitled = example();
    retitled.sections[1]!.title = 'Другое';
    expect(publishedChangeRefusal(example(), retitled)).toMatch(/можно только добавить варианты ответа/);
  });
});

describe('answers', () => {
  it('when a condition is not met, then its question is neither required nor kept', () => {
    const { answers, errors } = readAnswers(
      example(),
      { q_agreement: 'Да', q_reason: 'лишнее', q_meetings: '3', q_staff_1_0: '7' },
      true,
    );
    expect(errors).toEqual([]);
    expect(answers).toEqual({
      agreement: 'Да',
      meetings: 3,
      staff: [
        [null, null],
        [7, null],
      ],
    });
  });

  it('when values are wrong or a shown required one is missing, then each field has its message', () => {
    const { errors } = readAnswers(
      example(),
      { q_agreement: 'Нет', q_meetings: '2.5', q_lastmeeting: '31.02.2026', q_staff_0_1: '-1', q_topics: 'Другое' },
      true,
    );
    expect(Object.fromEntries(errors.map((e) => [e.field, e.message]))).toEqual({
      q_topics: 'Выберите из предложенных вариантов',
      q_meetings: 'Введите целое число',
      q_lastmeeting: 'Введите дату в формате ДД.ММ.ГГГГ',
      q_staff_0_1: 'В ячейках таблицы — неотрицательные числа',
      q_reason: 'Ответьте на этот вопрос',
    });
  });
});
