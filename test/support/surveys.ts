import type { Knex } from 'knex';
import type { OrgRow } from '../../src/registry/org-row';
import { todayIso } from '../../src/shared/dates';

/** The questionnaire of the route fixtures: one question of each kind but the table. */
export const FIXTURE_SURVEY_DEFINITION = {
  sections: [
    {
      title: 'Общие сведения',
      questions: [
        { id: 'agreement', kind: 'single', text: 'Есть ли договор?', required: true, options: ['Да', 'Нет'] },
        { id: 'why', kind: 'text', text: 'Почему?', required: false, showIf: { question: 'agreement', answer: 'Нет' } },
        { id: 'meetings', kind: 'number', text: 'Собраний', required: false, min: 0, max: 50, integer: false },
        { id: 'held', kind: 'date', text: 'Последнее собрание', required: false },
      ],
    },
  ],
};

/** A survey built at the organization, published to itself (its level), open from today for a year. */
export async function createPublishedSurvey(db: Knex, org: OrgRow, authorUserId: number): Promise<number> {
  const today = todayIso();
  const [survey] = await db('surveys')
    .insert({
      organization_id: org.id,
      author_user_id: authorUserId,
      title: 'Опрос',
      description: '',
      definition: JSON.stringify(FIXTURE_SURVEY_DEFINITION),
      target_levels: [org.level],
      opens_on: today,
      closes_on: `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`,
      status: 'published',
      published_at: db.fn.now(),
    })
    .returning('id');
  await db('survey_targets').insert({ survey_id: survey.id, organization_id: org.id });
  return Number(survey.id);
}
