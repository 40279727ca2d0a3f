// The questionnaire builder on a survey's edit page (views/surveys/edit.ejs, #survey-builder): sections and questions
// added, edited, reordered and removed with buttons, drawn from the JSON field «Анкета» and written back into it on
// every change — that field is what the form sends, and without JavaScript it is the builder. The server checks the
// JSON and names any problem in Russian next to it; the builder only warns of a condition that cannot stand.
// A published survey only gains options: the builder then lets the author append options and nothing else (the
// server refuses anything else all the same). The model and its edits are public/js/survey-model.js.
(function () {
  const M = window.SurveyModel;
  let lastId = 0;
  const newId = () => `survey-builder-${++lastId}`;

  /** An element with its attributes (`on…` are listeners; false, null and undefined leave one out) and children. */
  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes ?? {})) {
      if (value === false || value === null || value === undefined) continue;
      if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
      else if (name === 'value' || name === 'checked') element[name] = value;
      else element.setAttribute(name, value === true ? '' : String(value));
    }
    element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
    return element;
  }

  function start(root) {
    const textarea = document.getElementById('definition');
    if (!textarea || !M) return;
    const kinds = JSON.parse(root.dataset.kinds);
    // published: question code → how many options it keeps (they stay as they are; more may be appended)
    const locked = root.dataset.lockedOptions ? JSON.parse(root.dataset.lockedOptions) : null;
    let definition = null;
    /**
     * Each question's condition lists, which show other questions: `fill` redraws them whole, `relabel` only the
     * entry of one question whose text was typed (a keystroke must not redraw a hundred lists).
     */
    let conditions = [];

    const status = h('p', { class: 'visually-hidden', role: 'status' });
    const notice = h('div');
    const body = h('div');
    // the JSON field folds under the builder; it stays open when the server named a problem in it
    const serverError = document.getElementById('definition-error');
    const field = textarea.closest('.mb-3');
    const json = h(
      'details',
      { class: 'mb-3', open: Boolean(serverError) },
      h('summary', null, 'Анкета в виде JSON — её сохраняет и проверяет сервер'),
    );
    field.before(json);
    json.append(field);
    root.append(
      h('h2', { class: 'h5' }, 'Анкета'),
      locked
        ? h('p', { class: 'form-text' }, 'Опрос опубликован: можно только добавить варианты ответа в конец списков.')
        : h(
            'p',
            { class: 'form-text' },
            'Добавляйте разделы и вопросы кнопками. Вопрос можно показывать только при определённом ответе на вопрос с вариантами выше него.',
          ),
      notice,
      body,
      status,
    );
    if (serverError) notice.before(h('p', { class: 'text-danger' }, `Ошибка в анкете: ${serverError.textContent}`));
    root.hidden = false;

    const announce = (text) => (status.textContent = text);
    const numberOf = (question) => M.questionsOf(definition).indexOf(question) + 1;
    const changed = () => (textarea.value = M.serialize(definition));
    const refresh = () => conditions.forEach((condition) => condition.fill());
    /** After a question's options were typed: the conditions that name that question. */
    const refreshOn = (question) =>
      conditions.filter((c) => c.question.showIf?.question === question.id).forEach((c) => c.fill());
    const relabel = (question) => conditions.forEach((condition) => condition.relabel(question));

    /** Redraws the builder after a change of its structure; the focus goes to the first of the keys still enabled. */
    function render(...keys) {
      conditions = [];
      body.replaceChildren(...definition.sections.map(sectionView));
      if (!locked)
        body.append(
          button('Добавить раздел', 'add-section', addSection, 'btn btn-outline-primary'),
          button('Начать анкету заново', 'reset', reset, 'btn btn-link text-danger ms-2'),
        );
      refresh();
      for (const key of keys) {
        const target = body.querySelector(`[data-key="${key}"]`);
        if (target && !target.disabled) {
          target.focus();
          break;
        }
      }
    }

    function load() {
      const parsed = M.parse(textarea.value);
      if (!parsed.ok) {
        definition = null;
        body.replaceChildren();
        notice.replaceChildren(
          h(
            'p',
            { class: 'alert alert-warning' },
            `Конструктор не может показать анкету: ${parsed.reason}. Исправьте JSON ниже — или начните анкету заново.`,
            locked ? null : button('Начать анкету заново', 'reset', reset, 'btn btn-sm btn-outline-secondary ms-2'),
          ),
        );
        json.open = true;
        return;
      }
      definition = parsed.definition;
      notice.replaceChildren();
      render();
    }
    textarea.addEventListener('change', load);

    function reset() {
      definition = { sections: [] };
      definition.sections.push(M.newSection(definition));
      changed();
      notice.replaceChildren();
      render('s0-title');
      announce('Анкета начата заново: один раздел с одним вопросом');
    }

    function addSection() {
      definition.sections.push(M.newSection(definition));
      changed();
      render(`s${definition.sections.length - 1}-title`);
      announce(`Раздел ${definition.sections.length} добавлен`);
    }

    function button(text, key, onclick, className, extra) {
      return h(
        'button',
        { type: 'button', class: className ?? 'btn btn-sm btn-outline-secondary', 'data-key': key, onclick, ...extra },
        text,
      );
    }

    /**
     * A labelled text field; `oninput` gets its value as typed, then `options.typed` runs (the conditions' lists
     * show a question's text and code, so they follow as they are typed).
     */
    function textField(label, key, value, oninput, options = {}) {
      const id = newId();
      const hintId = options.hint ? `${id}-hint` : null;
      return h(
        'div',
        { class: options.wrap ?? 'mb-2' },
        h('label', { class: 'form-label small mb-0', for: id }, label),
        options.hint && h('div', { class: 'form-text mt-0', id: hintId }, options.hint),
        h('input', {
          class: 'form-control form-control-sm',
          type: 'text',
          id,
          value,
          'data-key': key,
          'aria-describedby': hintId,
          inputmode: options.inputmode,
          disabled: options.disabled,
          oninput: (event) => {
            oninput(event.target.value);
            changed();
            options.typed?.();
          },
        }),
      );
    }

    function checkField(label, key, checked, onchange, disabled) {
      const id = newId();
      return h(
        'div',
        { class: 'form-check mb-2' },
        h('input', {
          class: 'form-check-input',
          type: 'checkbox',
          id,
          checked,
          disabled,
          'data-key': key,
          onchange: (event) => {
            onchange(event.target.checked);
            changed();
          },
        }),
        h('label', { class: 'form-check-label', for: id }, label),
      );
    }

    function sectionView(section, si) {
      const n = si + 1;
      const last = definition.sections.length - 1;
      const moveSection = (delta) => () => {
        const to = M.move(definition.sections, si, delta);
        changed();
        render(`s${to}-${delta < 0 ? 'up' : 'down'}`, `s${to}-${delta < 0 ? 'down' : 'up'}`);
        announce(`Раздел перемещён: теперь он ${to + 1}-й`);
      };
      const removeSection = () => {
        definition.sections.splice(si, 1);
        changed();
        render(`s${Math.min(si, definition.sections.length - 1)}-title`, 'add-section');
        announce(`Раздел ${n} удалён`);
      };
      const addQuestion = () => {
        section.questions.push(M.newQuestion(definition));
        changed();
        render(`q${si}.${section.questions.length - 1}-text`);
        announce(`Вопрос ${numberOf(section.questions[section.questions.length - 1])} добавлен`);
      };
      return h(
        'fieldset',
        { class: 'border rounded p-3 mb-3' },
        h('legend', { class: 'h6 float-none w-auto px-1 mb-1' }, `Раздел ${n}`),
        textField('Название раздела', `s${si}-title`, section.title, (value) => (section.title = value), {
          disabled: Boolean(locked),
        }),
        locked
          ? null
          : h(
              'div',
              { class: 'd-flex flex-wrap gap-2 mb-3' },
              button('Раздел выше', `s${si}-up`, moveSection(-1), null, { disabled: si === 0 }),
              button('Раздел ниже', `s${si}-down`, moveSection(1), null, { disabled: si === last }),
              button('Удалить раздел', `s${si}-remove`, removeSection, 'btn btn-sm btn-outline-danger', {
                disabled: definition.sections.length === 1,
              }),
            ),
        section.questions.length
          ? section.questions.map((question, qi) => questionView(question, si, qi))
          : h('p', { class: 'text-danger' }, 'В разделе нет вопросов: добавьте вопрос или удалите раздел.'),
        locked ? null : button('Добавить вопрос', `s${si}-add`, addQuestion, 'btn btn-sm btn-outline-primary'),
      );
    }

    function questionView(question, si, qi) {
      const key = `q${si}.${qi}`;
      const n = numberOf(question);
      const all = M.questionsOf(definition);
      const moveQuestion = (delta) => () => {
        const to = M.moveQuestion(definition, si, qi, delta);
        changed();
        const moved = `q${to.si}.${to.qi}`;
        render(`${moved}-${delta < 0 ? 'up' : 'down'}`, `${moved}-${delta < 0 ? 'down' : 'up'}`);
        announce(`Вопрос перемещён: теперь он ${numberOf(question)}-й`);
      };
      const removeQuestion = () => {
        definition.sections[si].questions.splice(qi, 1);
        changed();
        render(`q${si}.${Math.min(qi, definition.sections[si].questions.length - 1)}-text`, `s${si}-add`);
        announce(`Вопрос ${n} удалён`);
      };
      const changeKind = (event) => {
        definition.sections[si].questions[qi] = M.withKind(question, event.target.value);
        changed();
        render(`${key}-kind`);
      };
      const kindId = newId();
      return h(
        'fieldset',
        { class: 'border rounded p-2 mb-3 ms-sm-2' },
        h('legend', { class: 'h6 float-none w-auto px-1 mb-1' }, `Вопрос ${n}`),
        textField('Текст вопроса', `${key}-text`, question.text, (value) => (question.text = value), {
          disabled: Boolean(locked),
          typed: () => relabel(question),
        }),
        h(
          'div',
          { class: 'row g-2' },
          h(
            'div',
            { class: 'col-sm-6 mb-2' },
            h('label', { class: 'form-label small mb-0', for: kindId }, 'Вид вопроса'),
            h(
              'select',
              {
                class: 'form-select form-select-sm',
                id: kindId,
                'data-key': `${key}-kind`,
                disabled: Boolean(locked),
                onchange: changeKind,
              },
              M.KINDS.map((kind) => h('option', { value: kind, selected: kind === question.kind }, kinds[kind])),
            ),
          ),
          textField(
            'Код вопроса',
            `${key}-id`,
            question.id,
            (value) => {
              M.renameQuestion(definition, question.id, value);
              question.id = value;
            },
            {
              wrap: 'col-sm-6 mb-2',
              hint: 'латинские строчные буквы и цифры, начиная с буквы; под ним хранятся ответы',
              disabled: Boolean(locked),
              typed: refresh,
            },
          ),
        ),
        textField(
          'Подсказка для отвечающих (необязательно)',
          `${key}-hint`,
          question.hint ?? '',
          (value) => {
            if (value.trim()) question.hint = value;
            else delete question.hint;
          },
          { disabled: Boolean(locked) },
        ),
        checkField(
          'Обязательный вопрос',
          `${key}-required`,
          question.required === true,
          (on) => (question.required = on),
          Boolean(locked),
        ),
        kindView(question, key),
        conditionView(question, key, all),
        locked
          ? null
          : h(
              'div',
              { class: 'd-flex flex-wrap gap-2' },
              button('Вопрос выше', `${key}-up`, moveQuestion(-1), null, { disabled: n === 1 }),
              button('Вопрос ниже', `${key}-down`, moveQuestion(1), null, { disabled: n === all.length }),
              button('Удалить вопрос', `${key}-remove`, removeQuestion, 'btn btn-sm btn-outline-danger'),
            ),
      );
    }

    /** The fields of the question's kind: options, a range, a table's rows and columns. */
    function kindView(question, key) {
      if (M.isChoice(question))
        return listView(question, 'options', key, {
          legend: 'Варианты ответа',
          item: 'Вариант',
          add: 'Добавить вариант',
        });
      if (question.kind === 'table')
        return h(
          'div',
          { class: 'row g-2' },
          h(
            'div',
            { class: 'col-md-6' },
            listView(question, 'rows', key, {
              legend: 'Строки таблицы',
              item: 'Строка',
              add: 'Добавить строку',
              done: ['добавлена', 'удалена'],
            }),
          ),
          h(
            'div',
            { class: 'col-md-6' },
            listView(question, 'columns', key, { legend: 'Столбцы таблицы', item: 'Столбец', add: 'Добавить столбец' }),
          ),
        );
      if (question.kind === 'number') {
        const bound = (name) => (value) => {
          const parsed = M.boundOf(value);
          if (parsed === undefined) delete question[name];
          else question[name] = parsed;
        };
        const text = (value) => (value === undefined ? '' : String(value));
        return h(
          'div',
          null,
          h(
            'div',
            { class: 'row g-2' },
            textField('Наименьшее значение', `${key}-min`, text(question.min), bound('min'), {
              wrap: 'col-6 col-sm-4 mb-2',
              inputmode: 'decimal',
              disabled: Boolean(locked),
            }),
            textField('Наибольшее значение', `${key}-max`, text(question.max), bound('max'), {
              wrap: 'col-6 col-sm-4 mb-2',
              inputmode: 'decimal',
              disabled: Boolean(locked),
            }),
          ),
          checkField(
            'Только целое число',
            `${key}-integer`,
            question.integer === true,
            (on) => (question.integer = on),
            Boolean(locked),
          ),
        );
      }
      return null;
    }

    /** What a screen reader hears of an item added or removed (a row is feminine: «строка добавлена»). */
    const MASCULINE = ['добавлен', 'удалён'];

    /**
     * A list of texts (options, a table's rows or columns) with a field per item, «Удалить» and «Добавить».
     * Published: the items kept are fixed, options may be appended (and the appended ones changed or removed).
     */
    function listView(question, list, key, words) {
      const items = question[list];
      const fixed = locked ? (list === 'options' ? (locked[question.id] ?? items.length) : items.length) : 0;
      const add = () => {
        items.push('');
        changed();
        render(`${key}-${list}-${items.length - 1}`);
        announce(`${words.item} ${items.length} ${(words.done ?? MASCULINE)[0]}`);
      };
      return h(
        'fieldset',
        { class: 'mb-2' },
        h('legend', { class: 'form-label small mb-1' }, words.legend),
        items.map((item, i) =>
          h(
            'div',
            { class: 'd-flex gap-2 mb-1' },
            h(
              'div',
              { class: 'flex-grow-1' },
              itemField(question, list, i, `${words.item} ${i + 1}`, `${key}-${list}-${i}`, i < fixed),
            ),
            i < fixed
              ? null
              : button(
                  `Удалить: ${words.item.toLowerCase()} ${i + 1}`,
                  `${key}-${list}-${i}-remove`,
                  () => {
                    items.splice(i, 1);
                    changed();
                    render(`${key}-${list}-${Math.min(i, items.length - 1)}`, `${key}-${list}-add`);
                    announce(`${words.item} ${i + 1} ${(words.done ?? MASCULINE)[1]}`);
                  },
                  'btn btn-sm btn-outline-danger',
                ),
          ),
        ),
        locked && list !== 'options' ? null : button(words.add, `${key}-${list}-add`, add),
      );
    }

    function itemField(question, list, i, label, key, disabled) {
      const id = newId();
      return h(
        'div',
        null,
        h('label', { class: 'visually-hidden', for: id }, label),
        h('input', {
          class: 'form-control form-control-sm',
          type: 'text',
          id,
          value: question[list][i],
          placeholder: label,
          disabled,
          'data-key': key,
          oninput: (event) => {
            if (list === 'options') M.renameOption(definition, question, question[list][i], event.target.value);
            question[list][i] = event.target.value;
            changed();
            if (list === 'options') refreshOn(question);
          },
        }),
      );
    }

    /** «Показывать вопрос»: always, or when a choice question above has the chosen option. */
    function conditionView(question, key, all) {
      const sourceId = newId();
      const answerId = newId();
      const problem = h('div', { class: 'form-text text-danger' });
      const source = h('select', {
        class: 'form-select form-select-sm',
        id: sourceId,
        'data-key': `${key}-show-if`,
        disabled: Boolean(locked),
        onchange: (event) => {
          const on = all.find((q) => q.id === event.target.value);
          if (on) question.showIf = { question: on.id, answer: on.options[0] ?? '' };
          else delete question.showIf;
          changed();
          fill();
        },
      });
      const answer = h('select', {
        class: 'form-select form-select-sm',
        id: answerId,
        'data-key': `${key}-show-if-answer`,
        disabled: Boolean(locked),
        onchange: (event) => {
          question.showIf.answer = event.target.value;
          changed();
          fill();
        },
      });
      const answerBox = h(
        'div',
        { class: 'col-sm-6 mb-2' },
        h('label', { class: 'form-label small mb-0', for: answerId }, 'Выбран вариант'),
        answer,
      );
      const quoted = (text) => (text.trim() ? `«${text}»` : '(без текста)');
      const labelOf = (on) => `если в вопросе ${numberOf(on)} ${quoted(on.text)} выбран вариант`;
      /** The entry of each question above, by the question: its label follows its text as typed. */
      let entries = new Map();
      function fill() {
        const sources = M.conditionSources(definition, question);
        const options = [h('option', { value: '' }, 'всегда')];
        entries = new Map(sources.map((on) => [on, h('option', { value: on.id }, labelOf(on))]));
        options.push(...entries.values());
        // a condition that no longer fits (its question moved below, or removed) stays visible until changed
        if (question.showIf && !sources.some((on) => on.id === question.showIf.question))
          options.push(
            h(
              'option',
              { value: question.showIf.question },
              `если в вопросе с кодом «${question.showIf.question}» выбран вариант`,
            ),
          );
        source.replaceChildren(...options);
        source.value = question.showIf ? question.showIf.question : '';
        answerBox.hidden = !question.showIf;
        if (question.showIf) {
          const on = sources.find((q) => q.id === question.showIf.question);
          const choices = on ? [...on.options] : [];
          if (!choices.includes(question.showIf.answer)) choices.push(question.showIf.answer);
          answer.replaceChildren(
            ...choices.map((choice) => h('option', { value: choice }, choice.trim() ? choice : '(пустой вариант)')),
          );
          answer.value = question.showIf.answer;
        }
        const why = M.conditionProblem(definition, question);
        problem.textContent = why ? `Условие: ${why}.` : '';
      }
      conditions.push({
        question,
        fill,
        relabel: (on) => {
          const entry = entries.get(on);
          if (entry) entry.textContent = labelOf(on);
        },
      });
      return h(
        'div',
        { class: 'row g-2' },
        h(
          'div',
          { class: 'col-sm-6 mb-2' },
          h('label', { class: 'form-label small mb-0', for: sourceId }, 'Показывать вопрос'),
          source,
        ),
        answerBox,
        h('div', { class: 'col-12' }, problem),
      );
    }

    load();
  }

  document.addEventListener('DOMContentLoaded', () => {
    const root = document.getElementById('survey-builder');
    if (root) start(root);
  });
})();
