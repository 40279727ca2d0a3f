// Analytics (issue 17, item 4): a cross-table of the members on record on a date by one or two dimensions,
// its shares, the chart beside it and its workbook, and the figures by month — each compared with counts
// made here from the fixture's own list of people.
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser } from '../support/factories';
import { svgDataItems, svgIn, svgTexts } from '../support/svg';
import { binaryParser, readSheet } from '../support/xlsx';

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;

const DATE = '2025-01-01';
type Person = {
  ppo: 'first' | 'second';
  sex: 'f' | 'm';
  birth: string;
  category: string;
  joined: string;
  left: string | null;
  group?: string;
};
const PEOPLE: Person[] = [
  {
    ppo: 'first',
    sex: 'f',
    birth: '1995-03-01',
    category: 'working',
    joined: '2015-09-01',
    left: null,
    group: 'Педагогические работники',
  },
  { ppo: 'first', sex: 'f', birth: '1989-06-15', category: 'working', joined: '2012-01-10', left: null },
  { ppo: 'first', sex: 'f', birth: '1991-02-11', category: 'working', joined: '2024-11-15', left: null },
  {
    ppo: 'first',
    sex: 'm',
    birth: '1980-01-01',
    category: 'working',
    joined: '2000-05-05',
    left: null,
    group: 'Педагогические работники',
  },
  { ppo: 'first', sex: 'm', birth: '1970-02-02', category: 'pensioner', joined: '1995-01-01', left: '2025-02-10' },
  { ppo: 'second', sex: 'f', birth: '1960-01-01', category: 'pensioner', joined: '1990-01-01', left: null },
  {
    ppo: 'second',
    sex: 'f',
    birth: '1974-12-31',
    category: 'working',
    joined: '2024-12-01',
    left: null,
    group: 'Научные работники',
  },
  { ppo: 'second', sex: 'm', birth: '2000-01-01', category: 'student', joined: '2018-09-01', left: '2024-12-20' },
  { ppo: 'second', sex: 'f', birth: '1990-01-01', category: 'working', joined: '2025-01-02', left: null },
];

const onRecord = (p: Person, date: string) => p.joined <= date && (p.left === null || p.left > date);
const ageOn = (birth: string, date: string) =>
  Number(date.slice(0, 4)) - Number(birth.slice(0, 4)) - (date.slice(5) < birth.slice(5) ? 1 : 0);
const BANDS = ['до 35 лет', '36–50', '51–60', '61 и старше'];
const band = (age: number) => (age <= 35 ? 0 : age <= 50 ? 1 : age <= 60 ? 2 : 3);

let tree: Awaited<ReturnType<typeof createRegionTree>>;
let otherRegion: Awaited<ReturnType<typeof createRegionTree>>;
let coordinator: Agent;
const memberIds: number[] = [];

beforeAll(async () => {
  tree = await createRegionTree(db(), 43);
  otherRegion = await createRegionTree(db(), 59);
  const secondTerritory = await createOrg(db(), tree.region, 'territorial', { name: 'Территориальная Б' });
  const secondPpo = await createOrg(db(), secondTerritory, 'primary');
  await db()('organizations').where({ id: tree.territory.id }).update({ name: 'Территориальная А' });
  for (const p of PEOPLE) {
    const [id] = await createMembers(db(), p.ppo === 'first' ? tree.primary : secondPpo, 1, {
      sex: p.sex,
      birth_date: p.birth,
      category: p.category,
      joined_on: p.joined,
      left_on: p.left,
      ...(p.left ? { left_reason: 'voluntary' } : {}),
      professional_group: p.group ?? null,
    });
    memberIds.push(id!);
  }
  // union cards issued: one in December, two in January (the second one's holder is on record all along)
  const issued: [number, string][] = [
    [0, '2024-12-05'],
    [1, '2025-01-20'],
    [3, '2025-01-21'],
  ];
  for (const [i, on] of issued) {
    const [card] = await db()('union_cards')
      .insert({ number: `43-${i}-${on}`, member_id: memberIds[i], kind: 'plastic', status: 'issued', status_on: on })
      .returning('id');
    await db()('union_card_events').insert({
      card_id: card.id,
      from_status: 'handed_to_organization',
      to_status: 'issued',
      happened_on: on,
    });
  }
  coordinator = (await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }])))
    .agent;
});

/** The texts of a table's rows (header cells and data cells alike), tags stripped, nbsp as a space. */
function tableRows(html: string, id: string): string[][] {
  const table = new RegExp(`<table[^>]*id="${id}"[\\s\\S]*?</table>`).exec(html)![0];
  return [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) =>
      cell[1]!
        .replace(/<[^>]+>/g, '')
        .replace(/&nbsp;|\u00a0/g, ' ')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&#39;/g, "'")
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&')
        .replace(/\s+/g, ' ')
        .trim(),
    ),
  );
}

const fmt = (n: number) => new Intl.NumberFormat('ru-RU').format(n).replace(/\u00a0/g, ' ');
const pct = (n: number, base: number) =>
  `${new Intl.NumberFormat('ru-RU', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format((n * 100) / base)} %`;

describe('the cross-table of members on a date', () => {
  const counted = PEOPLE.filter((p) => onRecord(p, DATE));
  const byAgeAndSex = BANDS.map((_, b) =>
    (['f', 'm'] as const).map((sex) => counted.filter((p) => p.sex === sex && band(ageOn(p.birth, DATE)) === b).length),
  );

  it('when the coordinator cuts their region by age and sex on a past date, then every cell is the count of those people', async () => {
    const res = await coordinator.get(`/orgs/${tree.region.inpo}/analytics?date=${DATE}&rows=age&columns=sex`);
    expect(res.status).toBe(200);
    const rows = tableRows(res.text, 'analytics-table');
    expect(rows[0]).toEqual(['Возраст \\ Пол', 'Женщины', 'Мужчины', 'Итого']);
    const body = rows.slice(1, -1);
    expect(body).toEqual(
      BANDS.map((label, b) => [label, ...byAgeAndSex[b]!.map(fmt), fmt(byAgeAndSex[b]![0]! + byAgeAndSex[b]![1]!)]),
    );
    const women = counted.filter((p) => p.sex === 'f').length;
    expect(rows.at(-1)).toEqual(['Итого', fmt(women), fmt(counted.length - women), fmt(counted.length)]);
    expect(counted.length).toBe(7); // the fixture's own check: one joined after the date, one left before it

    // the pyramid: a bar per band and sex, each labelled with the table's figure
    const svg = svgIn(res.text, 'analytics-chart');
    expect(svgDataItems(svg)).toEqual(
      new Map([
        [0, 4],
        [1, 4],
      ]),
    );
    const texts = svgTexts(svg);
    expect(texts).toEqual(expect.arrayContaining([...BANDS, 'Мужчины', 'Женщины']));
    for (const n of byAgeAndSex.flat().filter((x) => x > 0)) expect(texts).toContain(fmt(n));
  });

  it('when shares are asked, then each cell adds its % of the row, the column or the whole table', async () => {
    const women = counted.filter((p) => p.sex === 'f').length;
    for (const [share, base] of [
      ['row', (b: number) => byAgeAndSex[b]![0]! + byAgeAndSex[b]![1]!],
      ['column', () => women],
      ['total', () => counted.length],
    ] as const) {
      const res = await coordinator.get(
        `/orgs/${tree.region.inpo}/analytics?date=${DATE}&rows=age&columns=sex&share=${share}`,
      );
      const body = tableRows(res.text, 'analytics-table').slice(1, -1);
      BANDS.forEach((_, b) => {
        const n = byAgeAndSex[b]![0]!;
        expect(body[b]![1]).toBe(base(b) === 0 ? fmt(n) : `${fmt(n)} (${pct(n, base(b))})`);
      });
    }
  });

  it('when cut by child organization and category, then the stacked bars carry the table and the workbook equals the page', async () => {
    const query = `date=${DATE}&rows=child&columns=category`;
    const res = await coordinator.get(`/orgs/${tree.region.inpo}/analytics?${query}`);
    expect(res.status).toBe(200);
    const rows = tableRows(res.text, 'analytics-table');
    const of = (ppo: Person['ppo'], category: string) =>
      fmt(counted.filter((p) => p.ppo === ppo && p.category === category).length);
    expect(rows.slice(1, -1)).toEqual([
      ['Территориальная А', of('first', 'working'), of('first', 'student'), of('first', 'pensioner'), '0', '5'],
      ['Территориальная Б', of('second', 'working'), of('second', 'student'), of('second', 'pensioner'), '0', '2'],
    ]);
    const svg = svgIn(res.text, 'analytics-chart');
    expect(svgDataItems(svg).size).toBe(4); // a series per category
    expect(svgTexts(svg)).toEqual(expect.arrayContaining(['Территориальная А', 'Территориальная Б', '3', '1']));

    const file = await coordinator
      .get(`/orgs/${tree.region.inpo}/analytics/export.xlsx?${query}`)
      .buffer(true)
      .parse(binaryParser);
    expect(file.status).toBe(200);
    const sheet = await readSheet(file.body as Buffer);
    expect(sheet[1]).toEqual(['Организация', expect.stringContaining(`ИНПО ${tree.region.inpo}`)]);
    expect(sheet[2]).toEqual(['Дата', '01.01.2025']);
    expect(sheet[3]).toEqual(['Признаки', 'Входящая организация × Категория']);
    const header = sheet.findIndex((row) => row[0] === 'Входящая организация');
    expect(sheet.slice(header + 1).map((row) => row.map((cell) => cell.replace(/\u00a0/g, ' ')))).toEqual(
      rows.slice(1),
    );
  });

  it('when cut by tenure and professional group, then the cells count the card’s group and the years since joining', async () => {
    const res = await coordinator.get(`/orgs/${tree.region.inpo}/analytics?date=${DATE}&rows=tenure&columns=group`);
    const rows = tableRows(res.text, 'analytics-table');
    const groups = ['Педагогические работники', 'Научные работники'];
    expect(rows[0]).toEqual(expect.arrayContaining([...groups, 'Не указана']));
    const tenure = (p: Person) => ageOn(p.joined, DATE);
    const bands: [string, (years: number) => boolean][] = [
      ['менее 1 года', (y) => y < 1],
      ['1–4 года', (y) => y >= 1 && y < 5],
      ['5–9 лет', (y) => y >= 5 && y < 10],
      ['10–19 лет', (y) => y >= 10 && y < 20],
      ['20 лет и более', (y) => y >= 20],
    ];
    const column = (name: string) => rows[0]!.indexOf(name);
    for (const [label, within] of bands) {
      const row = rows.find((r) => r[0] === label)!;
      for (const group of [...groups, 'Не указана'])
        expect({ label, group, n: row[column(group)] }).toEqual({
          label,
          group,
          n: fmt(counted.filter((p) => within(tenure(p)) && (p.group ?? 'Не указана') === group).length),
        });
    }
  });

  it('when the bands are custom, then the members fall into them; a bad list is 422 with the message by the field', async () => {
    const res = await coordinator.get(`/orgs/${tree.region.inpo}/analytics?date=${DATE}&rows=age&bands=40`);
    const rows = tableRows(res.text, 'analytics-table');
    const young = counted.filter((p) => ageOn(p.birth, DATE) <= 40).length;
    expect(rows.slice(1)).toEqual([
      ['до 40 лет', fmt(young)],
      ['41 и старше', fmt(counted.length - young)],
      ['Итого', fmt(counted.length)],
    ]);
    const bad = await coordinator.get(`/orgs/${tree.region.inpo}/analytics?date=${DATE}&rows=age&bands=60,40`);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('id="bands-error"');
    expect(bad.text).toContain('value="60,40"');
  });

  it('when the coordinator asks for another region, then it is 404', async () => {
    for (const path of ['analytics', 'analytics/export.xlsx', 'analytics/series'])
      expect((await coordinator.get(`/orgs/${otherRegion.region.inpo}/${path}`)).status).toBe(404);
  });
});

describe('the figures by month', () => {
  const MONTHS = ['2024-11', '2024-12', '2025-01', '2025-02'];
  const lastDay = (month: string) =>
    new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5)), 0)).toISOString().slice(0, 10);

  it('when a period is asked, then each month has the members on record at its end, admissions, exits and cards issued', async () => {
    const res = await coordinator.get(`/orgs/${tree.region.inpo}/analytics/series?from=2024-11&to=2025-02`);
    expect(res.status).toBe(200);
    const cards: Record<string, number> = { '2024-12': 1, '2025-01': 2 };
    const expected = MONTHS.map((month) => [
      `${month.slice(5)}.${month.slice(0, 4)}`,
      fmt(PEOPLE.filter((p) => onRecord(p, lastDay(month))).length),
      fmt(PEOPLE.filter((p) => p.joined.startsWith(month)).length),
      fmt(PEOPLE.filter((p) => p.left?.startsWith(month)).length),
      fmt(cards[month] ?? 0),
    ]);
    const rows = tableRows(res.text, 'series-table');
    expect(rows.slice(1)).toEqual(expected);
    expect(svgTexts(svgIn(res.text, 'series-on-record'))).toEqual(expect.arrayContaining(expected.map((r) => r[1]!)));
    expect(svgDataItems(svgIn(res.text, 'series-movement'))).toEqual(
      new Map([
        [0, 4],
        [1, 4],
        [2, 4],
      ]),
    );

    const file = await coordinator
      .get(`/orgs/${tree.region.inpo}/analytics/series/export.xlsx?from=2024-11&to=2025-02`)
      .buffer(true)
      .parse(binaryParser);
    const sheet = await readSheet(file.body as Buffer);
    const header = sheet.findIndex((row) => row[0] === 'Месяц');
    expect(sheet.slice(header + 1)).toEqual(
      expected.map(([month, ...figures]) => [month, ...figures.map((f) => f.replace(/ /g, ''))]),
    );
  });

  it('when the period runs backwards, then it is 422 with the message by the field', async () => {
    const res = await coordinator.get(`/orgs/${tree.region.inpo}/analytics/series?from=2025-02&to=2024-11`);
    expect(res.status).toBe(422);
    expect(res.text).toContain('Месяц окончания не раньше месяца начала');
  });
});
