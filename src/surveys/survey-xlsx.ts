import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { streamRows, type RowSink } from '../db/stream-rows';
import type { OrgRow } from '../registry/org-row';
import { formatDate } from '../shared/format';
import { compressorBacklog } from '../shared/xlsx-backlog';
import { addSafeRow, type CellInput } from '../shared/spreadsheet';
import { questionsOf, type AnswerValue, type Answers, type Question } from './survey-definition';
import { answersForExport } from './survey-results.repo';
import type { SurveyRow } from './surveys.repo';

/** A question's columns: one, or one per cell of a table. */
function columnsOf(q: Question): { header: string; cell: (v: AnswerValue | undefined) => CellInput }[] {
  if (q.kind === 'table')
    return q.rows.flatMap((row, ri) =>
      q.columns.map((column, ci) => ({
        header: `${q.text}: ${row} / ${column}`,
        cell: (v: AnswerValue | undefined) => (v as (number | null)[][] | undefined)?.[ri]?.[ci] ?? null,
      })),
    );
  return [
    {
      header: q.text,
      cell: (v) =>
        v === undefined
          ? null
          : Array.isArray(v)
            ? v.join('; ')
            : q.kind === 'date'
              ? formatDate(v as string)
              : (v as string | number),
    },
  ];
}

/**
 * Every submitted answer of the organization's subtree: a row per organization with its ИНПО, name and path,
 * a column per question (per cell of a table); every text through the formula guard. Streamed from a cursor.
 */
export async function writeAnswersWorkbook(db: Knex, survey: SurveyRow, org: OrgRow, sink: RowSink): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink.out, useStyles: true });
  workbook.creator = 'Реестр Профсоюза образования';
  const sheet = workbook.addWorksheet('Ответы');
  const questions = questionsOf(survey.definition).map((q) => ({ q, columns: columnsOf(q) }));
  addSafeRow(sheet, [`Опрос: ${survey.title} (версия ${survey.version})`]).commit();
  addSafeRow(sheet, [`Ответы организаций: ${org.name} (ИНПО ${org.inpo}) и входящие в неё`]).commit();
  const header = addSafeRow(sheet, [
    'ИНПО',
    'Организация',
    'Путь',
    'Отправлено',
    ...questions.flatMap(({ columns }) => columns.map((c) => c.header)),
  ]);
  header.font = { bold: true };
  header.commit();
  await streamRows<{
    inpo: string | null;
    name: string | null;
    orgPath: string | null;
    submittedAt: Date | null;
    answers: Answers;
  }>(db, answersForExport(db, survey, org.path), sink, (r) => {
    addSafeRow(sheet, [
      r.inpo ?? '',
      r.name ?? (survey.anonymous ? 'анонимно' : ''),
      r.orgPath ?? '',
      r.submittedAt,
      ...questions.flatMap(({ q, columns }) => columns.map((c) => c.cell(r.answers[q.id]))),
    ]).commit();
    return compressorBacklog(sheet, sink.signal);
  });
  await sheet.commit();
  await workbook.commit();
}
