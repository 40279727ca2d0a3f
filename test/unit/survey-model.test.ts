import fs from 'node:fs';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../src/app-paths';
import {
  EXAMPLE_DEFINITION,
  QUESTION_KINDS,
  parseDefinition,
  publishedChangeRefusal,
} from '../../src/surveys/survey-definition';

// The builder's model (public/js/survey-model.js, a browser script with no DOM) run here as the browser runs it,
// its output read by the server's own parser: what the builder writes is what the server takes.

type Def = { sections: { title: string; questions: Record<string, unknown>[] }[] };
interface Model {
  KINDS: string[];
  parse(text: string): { ok: true; definition: Def } | { ok: false; reason: string };
  serialize(definition: Def): string;
  newQuestion(definition: Def, kind?: string): Record<string, unknown>;
  newSection(definition: Def): Def['sections'][number];
  withKind(question: Record<string, unknown>, kind: string): Record<string, unknown>;
  moveQuestion(definition: Def, si: number, qi: number, delta: number): { si: number; qi: number };
  conditionProblem(definition: Def, question: Record<string, unknown>): string | null;
  renameQuestion(definition: Def, from: string, to: string): void;
  renameOption(definition: Def, owner: Record<string, unknown>, from: string, to: string): void;
  boundOf(text: string): number | string | undefined;
}

const context: { SurveyModel?: Model } = {};
vm.runInNewContext(fs.readFileSync(`${APP_ROOT}/public/js/survey-model.js`, 'utf8'), context);
const M = context.SurveyModel!;
/** Objects made in the script's realm, as plain data of this one (toEqual compares prototypes). */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value));
/** A definition the model reads (its realm's objects made plain). */
const readByModel = (definition: unknown): Def => {
  const parsed = M.parse(JSON.stringify(definition));
  if (!parsed.ok) throw new Error(parsed.reason);
  return plain(parsed.definition);
};

describe('the survey builder’s model', () => {
  it('when a question of every kind is added and filled in, then the server takes the JSON it writes', () => {
    expect(M.KINDS).toEqual([...QUESTION_KINDS]);
    const definition: Def = { sections: [] };
    definition.sections.push(M.newSection(definition));
    const [section] = definition.sections;
    section!.title = 'Раздел';
    section!.questions = [];
    for (const kind of M.KINDS) {
      const question = M.newQuestion(definition, kind);
      question.text = `Вопрос: ${kind}`;
      if ('options' in question) question.options = ['Да', 'Нет'];
      if (kind === 'table') Object.assign(question, { rows: ['Строка'], columns: ['Столбец'] });
      section!.questions.push(question);
    }
    section!.questions[2]!.showIf = { question: 'q1', answer: 'Нет' };
    const text = M.serialize(definition);
    const parsed = parseDefinition(text);
    expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
    expect(section!.questions.map((q) => q.id)).toEqual(['q1', 'q2', 'q3', 'q4', 'q5', 'q6']);
    // the example read and written back is the same definition
    expect(JSON.parse(M.serialize(readByModel(EXAMPLE_DEFINITION)))).toEqual(EXAMPLE_DEFINITION);
  });

  it('when a new question is left empty, then the server names what to fill in', () => {
    const definition: Def = { sections: [] };
    definition.sections.push(M.newSection(definition));
    expect(parseDefinition(M.serialize(definition))).toEqual({
      ok: false,
      message: 'Укажите название раздела (раздел 1, title)',
    });
  });

  it('when the kind changes, then text, code and condition stay and options stay between the choice kinds', () => {
    const question = { id: 'a', kind: 'single', text: 'Т', required: true, options: ['Да', 'Нет'], showIf: undefined };
    expect(plain(M.withKind(question, 'multiple'))).toEqual({
      id: 'a',
      kind: 'multiple',
      text: 'Т',
      required: true,
      options: ['Да', 'Нет'],
    });
    expect(plain(M.withKind(question, 'number'))).toEqual({
      id: 'a',
      kind: 'number',
      text: 'Т',
      required: true,
      integer: false,
    });
    expect(plain(M.withKind({ ...question, kind: 'number', min: 1 }, 'table'))).toMatchObject({
      rows: [''],
      columns: [''],
    });
  });

  it('when a question moves past its section’s end, then it joins the next section; a condition left below its question is named', () => {
    const definition = readByModel(EXAMPLE_DEFINITION);
    // «reason» depends on «agreement», the question above it: moved up, it stands above its condition's question
    const reason = definition.sections[0]!.questions[1]!;
    expect(M.conditionProblem(definition, reason)).toBeNull();
    expect(plain(M.moveQuestion(definition, 0, 1, -1))).toEqual({ si: 0, qi: 0 });
    expect(M.conditionProblem(definition, reason)).toBe(
      'условие ссылается на вопрос, которого нет выше: выберите другой',
    );
    const text = M.serialize(definition);
    expect(parseDefinition(text)).toMatchObject({ ok: false, message: /условие ссылается на «agreement»/ });
    // the last question of section 1 moved down opens section 2; the first of section 2 moved up closes section 1
    expect(plain(M.moveQuestion(definition, 0, 4, 1))).toEqual({ si: 1, qi: 0 });
    expect(definition.sections.map((s) => s.questions.length)).toEqual([4, 2]);
    expect(plain(M.moveQuestion(definition, 1, 0, -1))).toEqual({ si: 0, qi: 4 });
    expect(plain(M.moveQuestion(definition, 1, 0, 1))).toEqual({ si: 1, qi: 0 });
  });

  it('when a code or an option is renamed, then the conditions naming it follow, and a published survey stays appendable', () => {
    const before = readByModel(EXAMPLE_DEFINITION);
    const definition = structuredClone(before);
    const [agreement, reason] = definition.sections[0]!.questions;
    M.renameQuestion(definition, 'agreement', 'contract');
    agreement!.id = 'contract';
    M.renameOption(definition, agreement!, 'Нет', 'Не заключён');
    (agreement!.options as string[])[1] = 'Не заключён';
    expect(reason!.showIf).toEqual({ question: 'contract', answer: 'Не заключён' });
    expect(parseDefinition(M.serialize(definition)).ok).toBe(true);

    // what the published builder allows — options appended — the server's rule allows too
    const appended = structuredClone(before);
    (appended.sections[0]!.questions[0]!.options as string[]).push('Готовится');
    const parsed = (text: string) => (parseDefinition(text) as { ok: true; definition: never }).definition;
    expect(publishedChangeRefusal(parsed(M.serialize(before)), parsed(M.serialize(appended)))).toBeNull();
  });

  it('when a range is typed, then a number (a comma too) is a number, an empty field nothing, and words stay for the server to refuse', () => {
    expect([M.boundOf('10'), M.boundOf(' -2,5 '), M.boundOf(''), M.boundOf('десять')]).toEqual([
      10,
      -2.5,
      undefined,
      'десять',
    ]);
    expect(plain(M.parse('[1]'))).toEqual({ ok: false, reason: 'нет списка разделов (sections)' });
    expect(plain(M.parse('{"sections":[{"questions":[{"kind":"slider"}]}]}'))).toEqual({
      ok: false,
      reason: 'у вопроса неизвестный вид (kind)',
    });
  });
});
