import type { Knex } from 'knex';
import { barChart, stackedBarChart } from '../charts/charts';
import { LEVEL_LABELS, LEVELS } from '../registry/levels';
import type { OrgRow } from '../registry/org-row';
import { questionsOf, type Question } from './survey-definition';
import { questionFigures, rates, textAnswers } from './survey-results.repo';
import type { SurveyRow } from './surveys.repo';

/** Free-text answers listed per question on the page (the download has them all). */
const TEXTS_SHOWN = 200;

/** The share answered, in whole percent (2 of 3 → 67). */
export const ratePercent = (submitted: number, targets: number) =>
  targets ? Math.round((submitted * 100) / targets) : 0;

const ids = (questions: Question[], ...kinds: Question['kind'][]) =>
  questions.filter((q) => kinds.includes(q.kind)).map((q) => q.id);

/**
 * The results of a survey over the organization's subtree: the response rate per child and per level, and
 * each question's summary — counts per option with a chart, sums and averages, sums per table cell, the
 * earliest and latest date, the free-text answers.
 */
export async function surveyResults(db: Knex, survey: SurveyRow, org: OrgRow) {
  const questions = questionsOf(survey.definition);
  const [{ children, levels }, figures, texts] = await Promise.all([
    rates(db, survey, org.path),
    questionFigures(db, survey, org.path, questions),
    textAnswers(db, survey, org.path, ids(questions, 'text'), TEXTS_SHOWN),
  ]);
  const total = children.reduce((t, c) => ({ targets: t.targets + c.targets, submitted: t.submitted + c.submitted }), {
    targets: 0,
    submitted: 0,
  });
  const childRows = children.map((c) => ({
    inpo: c.inpo,
    label: c.name ?? org.name,
    targets: c.targets,
    submitted: c.submitted,
    percent: ratePercent(c.submitted, c.targets),
  }));
  const levelRows = LEVELS.flatMap((level) => {
    const row = levels.find((l) => l.level === level);
    return row ? [{ label: LEVEL_LABELS[level], ...row, percent: ratePercent(row.submitted, row.targets) }] : [];
  });
  const perQuestion = questions.map((q, n) => {
    const f = figures.get(q.id)!;
    const num = (figure: string) => (f.get(figure) as number | null) ?? 0;
    const base = { question: q, answered: num('answered') };
    if (q.kind === 'single' || q.kind === 'multiple') {
      const counts = q.options.map((option) => ({
        option,
        n: num(`option:${q.options.indexOf(option)}`),
      }));
      const chart = base.answered
        ? barChart({
            id: `question-${n + 1}-chart`,
            title: `${q.text}: ответы организаций`,
            labels: counts.map((c) => c.option),
            values: counts.map((c) => c.n),
            seriesName: 'Организаций',
          })
        : null;
      return { ...base, counts, chart };
    }
    if (q.kind === 'number') {
      const stats =
        f.get('avg') === null ? null : { sum: num('sum'), avg: num('avg'), min: num('min'), max: num('max') };
      return { ...base, stats };
    }
    if (q.kind === 'date')
      return { ...base, dates: f.get('min') ? { min: f.get('min') as string, max: f.get('max') as string } : null };
    if (q.kind === 'text') return { ...base, texts: texts.filter((t) => t.question === q.id) };
    const cell = (r: number, c: number) => num(`cell:${r}:${c}`);
    const sums = q.rows.map((_r, ri) => q.columns.map((_c, ci) => cell(ri, ci)));
    const chart = base.answered
      ? stackedBarChart({
          id: `question-${n + 1}-chart`,
          title: `${q.text}: суммы по строкам и столбцам`,
          labels: q.rows,
          series: q.columns.map((name, ci) => ({ name, values: sums.map((row) => row[ci]!) })),
        })
      : null;
    return { ...base, sums, chart };
  });
  const rateChart = childRows.length
    ? barChart({
        id: 'rate-chart',
        title: 'Доля организаций, ответивших на опрос, по входящим организациям, %',
        labels: childRows.map((c) => c.label),
        values: childRows.map((c) => c.percent),
        seriesName: 'Ответили, %',
        format: 'percent',
      })
    : null;
  return {
    total: { ...total, percent: ratePercent(total.submitted, total.targets) },
    children: childRows,
    levels: levelRows,
    rateChart,
    questions: perQuestion,
  };
}

export type SurveyResults = Awaited<ReturnType<typeof surveyResults>>;
