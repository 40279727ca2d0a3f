// `DATABASE_URL=… npx tsx bench/survey-rollup.ts`: the survey roll-up over 76,000 ППО answers (issue #20:
// under 2 s). Into a database of its own (`createdb reestr_surveys`, `npm run seed:scale -- --members 50000`):
// it adds ППО under the territorial organizations until there are 76,000, publishes a survey of every kind of
// question to all ППО, writes one submitted answer per ППО in one INSERT … SELECT, and times the results of
// the union and of one region (the page's queries, src/surveys/survey-results.ts) five times each.
import { performance } from 'node:perf_hooks';
import { createOwnerDb, migrateLatest } from '../src/db/migrate';
import { findOrgById } from '../src/registry/organizations.service';
import { makeInpo } from '../src/shared/inpo';
import { todayIso } from '../src/shared/dates';
import { surveyResults } from '../src/surveys/survey-results';
import { definitionSchema } from '../src/surveys/survey-definition';
import { findSurvey, insertSurvey, publishSurvey } from '../src/surveys/surveys.repo';

const TARGET_PPO = 76_000;
const RUNS = 5;
const url = process.env.DATABASE_URL;
if (!url || !/reestr_surveys/.test(url)) {
  console.error(
    'DATABASE_URL must name the benchmark database of its own (reestr_surveys): this script adds rows to it.',
  );
  process.exit(1);
}

const definition = definitionSchema.parse({
  sections: [
    {
      title: 'Коллективный договор',
      questions: [
        {
          id: 'agreement',
          kind: 'single',
          text: 'Заключён ли коллективный договор?',
          required: true,
          options: ['Да', 'Нет', 'Готовится'],
        },
        { id: 'why', kind: 'text', text: 'Почему нет?', showIf: { question: 'agreement', answer: 'Нет' } },
        {
          id: 'topics',
          kind: 'multiple',
          text: 'Темы собраний',
          options: ['Оплата труда', 'Охрана труда', 'Отдых', 'Жильё'],
        },
        { id: 'meetings', kind: 'number', text: 'Собраний за год', min: 0, max: 100, integer: true },
        { id: 'held', kind: 'date', text: 'Последнее собрание' },
        {
          id: 'staff',
          kind: 'table',
          text: 'Численность',
          rows: ['Педагоги', 'Прочие'],
          columns: ['Всего', 'Члены', 'Молодёжь'],
        },
      ],
    },
  ],
});

async function main() {
  await migrateLatest(url!);
  const db = createOwnerDb(url!);
  try {
    const have = Number((await db('organizations').where({ level: 'primary' }).count<{ count: string }[]>())[0]!.count);
    const territories: { id: number; path: string; regionCode: number }[] = await db('organizations')
      .where({ level: 'territorial' })
      .orderBy('id')
      .select('id', db.raw('path::text AS path'), 'region_code as regionCode');
    let nextId = Number((await db('organizations').max<{ max: number }[]>('id as max'))[0]!.max) + 1;
    const rows = [];
    for (let n = 0; n < TARGET_PPO - have; n++) {
      const t = territories[n % territories.length]!;
      const id = nextId++;
      rows.push({
        id,
        parent_id: t.id,
        level: 'primary',
        path: `${t.path}.${id}`,
        inpo: makeInpo(t.regionCode, id),
        region_code: t.regionCode,
        name: `ППО МБОУ СОШ № ${id}`,
        employer_kind: 'school',
        created_on: '2000-01-01',
      });
    }
    for (let i = 0; i < rows.length; i += 5000) await db('organizations').insert(rows.slice(i, i + 5000));
    await db.raw("SELECT setval(pg_get_serial_sequence('organizations', 'id'), (SELECT max(id) FROM organizations))");
    console.log(`ППО: ${have} + ${rows.length} added`);

    const union = (await findOrgById(
      db,
      Number((await db('organizations').where({ level: 'union' }).first('id')).id),
    ))!;
    const author = await db('users').first('id');
    const authorId = author
      ? Number(author.id)
      : Number(
          (
            await db('users')
              .insert({ username: 'bench-surveys', password_hash: 'x', full_name: 'Бенчмарк' })
              .returning('id')
          )[0].id,
        );
    const today = todayIso();
    const id = await db.transaction(async (trx) => {
      const created = await insertSurvey(trx, {
        title: 'Бенчмарк: мониторинг коллективных договоров',
        description: '',
        definition,
        targetLevels: ['primary'],
        audience: 'organizations',
        anonymous: false,
        memberFilter: null,
        opensOn: today,
        closesOn: today,
        organizationId: union.id,
        authorUserId: authorId,
        version: 1,
        copiedFromId: null,
      });
      const targets = await publishSurvey(trx, (await findSurvey(trx, created))!);
      console.log(`survey ${created}: ${targets} targets`);
      return created;
    });
    const started = performance.now();
    await db.transaction(async (trx) => {
      await trx.raw('SELECT setseed(0.2026)'); // the same answers every run, on this connection
      await trx.raw(
        `INSERT INTO survey_responses (survey_id, organization_id, answers, status, submitted_at)
       SELECT t.survey_id, t.organization_id,
              jsonb_strip_nulls(jsonb_build_object(
                'agreement', a.agreement,
                'why', CASE WHEN a.agreement = 'Нет' THEN 'Работодатель отказался, переговоры ' || t.organization_id END,
                'topics', to_jsonb(ARRAY(SELECT x FROM unnest(ARRAY['Оплата труда','Охрана труда','Отдых','Жильё']) x WHERE random() < 0.5)),
                'meetings', floor(random() * 12)::int,
                'held', to_char(date '2026-01-01' + floor(random() * 300)::int, 'YYYY-MM-DD'),
                'staff', jsonb_build_array(
                  jsonb_build_array(floor(random() * 60)::int, floor(random() * 50)::int, floor(random() * 10)::int),
                  jsonb_build_array(floor(random() * 30)::int, floor(random() * 20)::int, floor(random() * 5)::int)))),
              'submitted', now()
         FROM survey_targets t
         CROSS JOIN LATERAL (SELECT (ARRAY['Да','Да','Да','Нет','Готовится'])[1 + floor(random() * 5)::int] AS agreement
                              WHERE t.organization_id IS NOT NULL) a
        WHERE t.survey_id = ?`,
        [id],
      );
    });
    await db.raw('VACUUM ANALYZE survey_responses');
    await db.raw('VACUUM ANALYZE survey_targets');
    console.log(`answers written in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const survey = (await findSurvey(db, id))!;
    const region = (await findOrgById(
      db,
      Number((await db('organizations').where({ level: 'regional' }).orderBy('id').first('id')).id),
    ))!;
    for (const [label, org] of [
      ['union (all answers)', union],
      ['one region', region],
    ] as const) {
      const times: number[] = [];
      let answered = 0;
      for (let run = 0; run < RUNS; run++) {
        const t0 = performance.now();
        const results = await surveyResults(db, survey, org);
        times.push(performance.now() - t0);
        answered = results.total.submitted;
      }
      times.sort((a, b) => a - b);
      console.log(
        `roll-up, ${label}: ${answered} answers; median ${times[Math.floor(RUNS / 2)]!.toFixed(0)} ms, max ${times.at(-1)!.toFixed(0)} ms`,
      );
    }
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
