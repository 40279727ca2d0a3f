// The survey builder's model (public/js/survey-builder.js draws it): the questionnaire as the JSON the server checks
// (src/surveys/survey-definition.ts, format version 1) and the edits the builder's buttons make to it. No DOM here,
// so test/unit/survey-model.test.ts runs it beside the server's schema. The server's checks and Russian messages stay
// the only judge: the model writes what the author built, even when it is not yet valid (an empty option, a range
// typed as words), and the server names the problem.
(function (root) {
  const KINDS = ['single', 'multiple', 'number', 'text', 'date', 'table'];
  const CHOICE = ['single', 'multiple'];
  /** Each kind's own fields, as the server's schema has them. */
  const KIND_FIELDS = {
    single: ['options'],
    multiple: ['options'],
    number: ['min', 'max', 'integer'],
    text: [],
    date: [],
    table: ['rows', 'columns'],
  };
  const ORDER = [
    'id',
    'kind',
    'text',
    'hint',
    'required',
    'showIf',
    'options',
    'min',
    'max',
    'integer',
    'rows',
    'columns',
  ];

  const isChoice = (question) => CHOICE.includes(question.kind);
  const isStrings = (list) => Array.isArray(list) && list.every((item) => typeof item === 'string');
  const questionsOf = (definition) => definition.sections.flatMap((section) => section.questions);

  /**
   * The textarea's text → a definition the builder can draw, or why not (then the author fixes the JSON by hand
   * and the server's message says where). Only the shape is checked here, never the server's rules.
   */
  function parse(text) {
    let definition;
    try {
      definition = JSON.parse(text);
    } catch {
      return { ok: false, reason: 'анкета — не JSON' };
    }
    const isObject = (x) => x !== null && typeof x === 'object' && !Array.isArray(x);
    if (!isObject(definition) || !Array.isArray(definition.sections))
      return { ok: false, reason: 'нет списка разделов (sections)' };
    for (const section of definition.sections) {
      if (!isObject(section) || !Array.isArray(section.questions))
        return { ok: false, reason: 'у раздела нет списка вопросов (questions)' };
      for (const question of section.questions) {
        if (!isObject(question) || !KINDS.includes(question.kind))
          return { ok: false, reason: 'у вопроса неизвестный вид (kind)' };
        for (const list of ['options', 'rows', 'columns'])
          if (list in question && !isStrings(question[list])) return { ok: false, reason: `${list} — не список строк` };
      }
    }
    return { ok: true, definition };
  }

  /** The definition as the textarea holds it: two-space JSON, each question's keys in the schema's order. */
  function serialize(definition) {
    const ordered = (question) => {
      const out = {};
      for (const key of ORDER) if (question[key] !== undefined) out[key] = question[key];
      // whatever else was typed by hand stays, for the server to name
      for (const key of Object.keys(question)) if (!(key in out)) out[key] = question[key];
      return out;
    };
    return JSON.stringify(
      { ...definition, sections: definition.sections.map((s) => ({ ...s, questions: s.questions.map(ordered) })) },
      null,
      2,
    );
  }

  /** The next free code (id) of the form q1, q2, …: codes must be unique in the questionnaire. */
  function nextId(definition) {
    const taken = new Set(questionsOf(definition).map((question) => question.id));
    let n = taken.size + 1;
    while (taken.has(`q${n}`)) n++;
    return `q${n}`;
  }

  function kindDefaults(kind) {
    if (CHOICE.includes(kind)) return { options: ['', ''] };
    if (kind === 'number') return { integer: false };
    if (kind === 'table') return { rows: [''], columns: [''] };
    return {};
  }

  function newQuestion(definition, kind = 'single') {
    return { id: nextId(definition), kind, text: '', required: false, ...kindDefaults(kind) };
  }

  const newSection = (definition) => ({ title: '', questions: [newQuestion(definition)] });

  /** The question as another kind: its text, code, hint, flags and condition kept; options kept between the two choice kinds. */
  function withKind(question, kind) {
    const out = { ...question, kind };
    for (const key of KIND_FIELDS[question.kind]) if (!KIND_FIELDS[kind].includes(key)) delete out[key];
    for (const [key, value] of Object.entries(kindDefaults(kind))) if (out[key] === undefined) out[key] = value;
    return out;
  }

  /** Moves list[index] by delta (−1 up, +1 down) in place; returns the new index, or the old one at an end. */
  function move(list, index, delta) {
    const to = index + delta;
    if (to < 0 || to >= list.length) return index;
    list.splice(to, 0, ...list.splice(index, 1));
    return to;
  }

  /**
   * Moves a question up or down by one place in the whole questionnaire: past the first or last question of its
   * section it goes to the end of the section before or the start of the one after. Returns where it now is.
   */
  function moveQuestion(definition, si, qi, delta) {
    const questions = definition.sections[si].questions;
    const to = qi + delta;
    if (to >= 0 && to < questions.length) return { si, qi: move(questions, qi, delta) };
    const next = si + delta;
    if (next < 0 || next >= definition.sections.length) return { si, qi };
    const [question] = questions.splice(qi, 1);
    const target = definition.sections[next].questions;
    if (delta < 0) target.push(question);
    else target.unshift(question);
    return { si: next, qi: delta < 0 ? target.length - 1 : 0 };
  }

  /** The choice questions above this one: what its condition may name (the server's rule). */
  function conditionSources(definition, question) {
    const all = questionsOf(definition);
    return all.slice(0, all.indexOf(question)).filter(isChoice);
  }

  /** Why the question's condition cannot stand where it is (it names no choice question above, or no option of it). */
  function conditionProblem(definition, question) {
    if (!question.showIf) return null;
    const on = conditionSources(definition, question).find((q) => q.id === question.showIf.question);
    if (!on) return 'условие ссылается на вопрос, которого нет выше: выберите другой';
    if (!on.options.includes(question.showIf.answer)) return 'в выбранном вопросе нет такого варианта: выберите другой';
    return null;
  }

  /** A code changed: the conditions that named the old one follow it. */
  function renameQuestion(definition, from, to) {
    for (const question of questionsOf(definition))
      if (question.showIf && question.showIf.question === from) question.showIf.question = to;
  }

  /** An option's text changed: the conditions that named the old text follow it. */
  function renameOption(definition, owner, from, to) {
    for (const question of questionsOf(definition))
      if (question.showIf && question.showIf.question === owner.id && question.showIf.answer === from)
        question.showIf.answer = to;
  }

  /** A range's bound as typed: a number when it reads as one (a comma too), nothing when empty, else the text for the server to refuse. */
  function boundOf(text) {
    const trimmed = text.trim().replace(/\s/g, '');
    if (!trimmed) return undefined;
    return /^-?\d+([.,]\d+)?$/.test(trimmed) ? Number(trimmed.replace(',', '.')) : text;
  }

  root.SurveyModel = {
    KINDS,
    isChoice,
    questionsOf,
    parse,
    serialize,
    newQuestion,
    newSection,
    withKind,
    move,
    moveQuestion,
    conditionSources,
    conditionProblem,
    renameQuestion,
    renameOption,
    boundOf,
  };
})(typeof window === 'undefined' ? globalThis : window);
