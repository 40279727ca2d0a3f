// «Show if answer X of question Y» on a survey's answer form (form[data-survey-conditions], views/surveys/_questions):
// a question whose condition is unmet is hidden as the respondent answers, and its fields are disabled, so they are
// neither sent nor asked for. The rule is the server's (visibleQuestions in src/surveys/survey-definition.ts): a
// question is shown when the question it depends on is shown and has the answer. The server still decides: without
// this script every question is on the page and the server drops the answers of the hidden ones.
(function () {
  /** The answers chosen in question `id` (its radio buttons or checkboxes named q_<id>). */
  function chosen(form, id) {
    const fields = form.querySelectorAll(`input[name="q_${CSS.escape(id)}"]`);
    return [...fields].filter((field) => field.checked && !field.disabled).map((field) => field.value);
  }

  function apply(form) {
    const shown = new Set();
    for (const question of form.querySelectorAll('.survey-question[data-question]')) {
      const on = question.dataset.showIf;
      const visible = !on || (shown.has(on) && chosen(form, on).includes(question.dataset.showIfAnswer));
      if (visible) shown.add(question.dataset.question);
      question.hidden = !visible;
      for (const field of question.querySelectorAll('input, textarea, select')) field.disabled = !visible;
      // the server's note «not chosen now» was true when the page was made; from here on the page itself says it
      question.classList.remove('text-body-secondary');
      for (const note of question.querySelectorAll('.survey-unmet')) note.remove();
    }
  }

  document.addEventListener('change', (event) => {
    const form = event.target instanceof Element ? event.target.closest('form[data-survey-conditions]') : null;
    if (form) apply(form);
  });
  document.addEventListener('DOMContentLoaded', () => {
    for (const form of document.querySelectorAll('form[data-survey-conditions]')) apply(form);
  });
})();
