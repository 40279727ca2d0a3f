// `npm run seed:scale -- --members 4000000 --seed 1`: loads a full-scale union (performance.md) into the
// configured database (DATABASE_URL, else the embedded one) with COPY. Deterministic for a seed.
// The database is emptied first (after a confirmation flag), since the numbers must be exact.
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { loadConfig } from '../../src/config';
import { openDatabase } from '../../src/db/database';
import { createOwnerDb, migrateLatest, runReferenceSeeds } from '../../src/db/migrate';
import { makeInpo } from '../../src/shared/inpo';
import { EMPLOYER_KINDS, defaultPrimaryForm, type EmployerKind } from '../../src/registry/levels';
import { FATHER_NAMES, FEMALE_NAMES, MALE_NAMES, SURNAMES, feminineSurname, seededRandom } from '../data/russian-names';
import { REGIONAL_ORGANIZATIONS } from '../data/regions';
import { validSnils } from '../data/snils';
import { withoutSecondaryStructures } from './bulk-load';
import { copyRows } from './copy';

const { values: args } = parseArgs({
  options: {
    members: { type: 'string', default: '4000000' },
    seed: { type: 'string', default: '1' },
    yes: { type: 'boolean', default: false },
  },
});
const MEMBERS = Number(args.members);
const random = seededRandom(Number(args.seed));
const TODAY = '2026-11-01';
// performance.md: ~2,300 territorial and ~75,000 primary organizations and ~70,000 groups for 4 M members;
// smaller runs scale the tree down with the members (at least one of each per region).
const SCALE = MEMBERS / 4_000_000;
const TERRITORIES_PER_REGION = Math.max(1, Math.round(29 * Math.sqrt(SCALE)));
const PRIMARIES_PER_TERRITORY = Math.max(2, Math.round(33 * Math.sqrt(SCALE)));

interface Org {
  id: number;
  parentId: number | null;
  level: string;
  path: string;
  inpo: string;
  region: number;
  regionId: number | null;
  name: string;
  kind: string | null;
  weight: number;
}

function buildTree(): Org[] {
  const orgs: Org[] = [];
  const add = (
    parent: Org | null,
    level: string,
    name: string,
    region: number,
    kind: string | null = null,
    weight = 0,
  ) => {
    const id = orgs.length + 1;
    const path = parent ? `${parent.path}.${id}` : String(id);
    const org = {
      id,
      parentId: parent?.id ?? null,
      level,
      path,
      inpo: makeInpo(region, id),
      region,
      regionId: level === 'union' ? null : Number(path.split('.')[1]),
      name,
      kind,
      weight,
    };
    orgs.push(org);
    return org;
  };
  const union = add(null, 'union', 'Общероссийский Профсоюз образования', 0);
  REGIONAL_ORGANIZATIONS.forEach((r, i) => {
    const regionCode = i + 1;
    const region = add(union, 'regional', `${r.name} организация Общероссийского Профсоюза образования`, regionCode);
    const regionMembers = r.members ?? random.int(15_000, 90_000);
    for (let t = 0; t < TERRITORIES_PER_REGION; t++) {
      const territory = add(region, 'territorial', `Районная организация Профсоюза № ${t + 1} (${r.name})`, regionCode);
      for (let p = 0; p < PRIMARIES_PER_TERRITORY; p++) {
        const kind = random.chance(0.55) ? 'school' : random.chance(0.6) ? 'kindergarten' : random.pick(EMPLOYER_KINDS);
        const primary = add(
          territory,
          'primary',
          `ППО ${kind === 'school' ? 'МБОУ СОШ' : kind === 'kindergarten' ? 'МБДОУ детский сад' : 'организации'} № ${p + 1}, район ${t + 1}`,
          regionCode,
          kind,
          regionMembers * (0.5 + random.next()),
        );
        if (random.chance(0.93)) add(primary, 'group', `Профгруппа № 1 ППО № ${p + 1}`, regionCode);
      }
    }
    // Universities: ППО with rights of a territorial organization directly under the region.
    const university = add(
      region,
      'primary',
      `ППО работников и обучающихся университета (${r.name})`,
      regionCode,
      'university',
      regionMembers * 3,
    );
    add(university, 'subdivision', 'Профорганизация факультета', regionCode);
  });
  return orgs;
}

function* memberRows(primaries: Org[], quotas: number[]) {
  for (const [i, org] of primaries.entries()) {
    for (let n = 0; n < quotas[i]!; n++) {
      const female = random.chance(org.kind === 'university' ? 0.6 : 0.82);
      const student =
        org.kind === 'university' ? random.chance(0.6) : org.kind === 'college' ? random.chance(0.45) : false;
      const pensioner = !student && random.chance(0.03);
      const birthYear = student ? random.int(2000, 2008) : pensioner ? random.int(1945, 1962) : random.int(1961, 2003);
      const joinedYear = Math.min(2026, Math.max(birthYear + 17, random.int(1985, 2026)));
      const left = random.chance(0.08) && joinedYear < 2025;
      const surname = random.pick(SURNAMES);
      yield [
        org.id,
        org.regionId,
        female ? feminineSurname(surname) : surname,
        female ? random.pick(FEMALE_NAMES) : random.pick(MALE_NAMES),
        random.pick(FATHER_NAMES)[female ? 1 : 0],
        female ? 'f' : 'm',
        day(birthYear),
        student ? 'student' : pensioner ? 'pensioner' : 'working',
        !student && !pensioner && random.chance(0.68),
        day(joinedYear),
        left ? day(random.int(joinedYear + 1, 2026)) : null,
      ];
    }
  }
}

function day(year: number): string {
  return `${year}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`;
}

const UNION_STATS_LOADED = ['organizations', 'org_officers', 'org_headcounts', 'member_periods', 'membership_events'];
async function unionStatsTriggers(db: Knex, action: 'DISABLE' | 'ENABLE') {
  for (const table of UNION_STATS_LOADED)
    await db.raw(`ALTER TABLE ${table} ${action} TRIGGER union_stats_forget_inserted`);
}

async function main() {
  const config = loadConfig();
  const database = await openDatabase(config);
  await migrateLatest(database.ownerUrl);
  const db = createOwnerDb(database.ownerUrl);
  const started = Date.now();
  const lap = (label: string) => console.log(`${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  try {
    const existing = await db('organizations').count<{ count: number }[]>('* as count');
    if (Number(existing[0]!.count) > 0 && !args.yes) {
      console.error('The database already holds data: run again with --yes to replace it with the generated union.');
      process.exitCode = 1;
      return;
    }
    // A full reset is the one place where clearing the append-only audit log is intended.
    await db.raw('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_truncate');
    await db.raw(`TRUNCATE organizations, members, member_periods, membership_events, union_cards, union_card_events, member_consents, org_officers, persons,
      org_headcounts, collective_agreements, agreement_annexes, org_events, role_grants, users, sessions, audit_log, transfer_requests, export_jobs,
      import_reports, depersonalisation_journal, login_failures, report_events, report_versions, reports, form_versions, member_state_cache, member_state_cached_orgs,
      member_counts, region_member_counts, region_card_counts, region_consent_counts, region_kind_member_counts, region_headcounts, union_stats, union_stats_fresh, passport_gap_counts, ppo_member_counts, org_passport_flags,
      monitoring_cache, monitoring_gens RESTART IDENTITY CASCADE`);
    await db.raw('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_truncate');
    await runReferenceSeeds(db); // the default forms, cleared with the users who could have uploaded others
    // the union's statistics, emptied above, have nothing to forget: the load skips looking for what (seconds over 4 M rows)
    await unionStatsTriggers(db, 'DISABLE');
    const orgs = buildTree();
    await copyRows(
      db,
      'organizations',
      [
        'id',
        'parent_id',
        'level',
        'path',
        'inpo',
        'region_code',
        'name',
        'employer_kind',
        'primary_form',
        'has_territorial_rights',
        'created_on',
        'email',
      ],
      orgs.map((o) => [
        o.id,
        o.parentId,
        o.level,
        o.path,
        o.inpo,
        o.region,
        o.name,
        o.kind,
        defaultPrimaryForm(o.kind as EmployerKind | null),
        o.kind === 'university',
        '2000-01-01',
        random.chance(0.85) ? `org${o.id}@example.ru` : null,
      ]),
    );
    await db.raw("SELECT setval(pg_get_serial_sequence('organizations', 'id'), ?), setval('inpo_seq', ?)", [
      orgs.length,
      orgs.length,
    ]);
    lap(`organizations (${orgs.length})`);

    // officers are people: here each is a person by SNILS (persons get ids 1… in load order: RESTART IDENTITY above)
    const officers = orgs
      .filter((o) => o.level !== 'union' && random.chance(0.9))
      .map((o, i) => {
        const female = random.chance(0.75);
        const surname = random.pick(SURNAMES);
        return {
          org: o,
          personId: i + 1,
          snils: validSnils(100_000_000 + i),
          surname: female ? feminineSurname(surname) : surname,
          name: random.pick(female ? FEMALE_NAMES : MALE_NAMES),
          sex: female ? 'f' : 'm',
          birth: `${random.int(1960, 1998)}-0${random.int(1, 9)}-1${random.int(0, 9)}`,
          elected: random.int(2018, 2025),
        };
      });
    await copyRows(
      db,
      'persons',
      ['snils', 'surname', 'name', 'sex', 'birth_date'],
      officers.map((f) => [f.snils, f.surname, f.name, f.sex, f.birth]),
    );
    await copyRows(
      db,
      'org_officers',
      ['organization_id', 'post', 'surname', 'name', 'person_id', 'elected_on', 'term_until', 'salaried'],
      officers.map((f) => [
        f.org.id,
        f.org.level === 'group' ? 'group_organizer' : 'chair',
        f.surname,
        f.name,
        f.personId,
        `${f.elected}-03-01`,
        random.chance(0.95) ? `${f.elected + 5}-03-01` : null,
        f.org.level !== 'primary' && f.org.level !== 'group',
      ]),
    );
    const primaries = orgs.filter((o) => o.level === 'primary');
    await copyRows(
      db,
      'org_headcounts',
      ['organization_id', 'as_of', 'employees_total', 'employees_pedagogical', 'students_total'],
      primaries.map((o) => {
        const e = random.int(20, 120);
        return [o.id, '2025-09-01', e, Math.round(e * 0.6), o.kind === 'university' ? random.int(2000, 9000) : 0];
      }),
    );
    lap('officers and headcounts');

    const totalWeight = primaries.reduce((s, o) => s + o.weight, 0);
    const quotas = primaries.map((o) => Math.floor((MEMBERS * o.weight) / totalWeight));
    quotas[0]! += MEMBERS - quotas.reduce((s, q) => s + q, 0);
    let members = 0;
    await withoutSecondaryStructures(
      db,
      ['members', 'member_periods', 'membership_events', 'union_cards', 'member_consents'],
      async () => {
        // the generator knows each card's region, and the counts are built once after the load; the cards
        // are loaded before their periods (each statement its own transaction), consistent together by construction
        await db.raw(
          'ALTER TABLE members DISABLE TRIGGER members_region, DISABLE TRIGGER member_counts_inserted, DISABLE TRIGGER membership_guard_inserted',
        );
        members = await copyRows(
          db,
          'members',
          [
            'organization_id',
            'region_id',
            'surname',
            'name',
            'patronymic',
            'sex',
            'birth_date',
            'category',
            'is_pedagogical',
            'joined_on',
            'left_on',
          ],
          memberRows(primaries, quotas),
        );
        await db.raw(
          'ALTER TABLE members ENABLE TRIGGER members_region, ENABLE TRIGGER member_counts_inserted, ENABLE TRIGGER membership_guard_inserted',
        );
        await db.raw('SELECT member_counts_rebuild()');
        lap(`members (${members})`);
        // History, cards and consents follow from the members just loaded, set-based inside the server.
        // the periods take the person's sex and birth date here, and their ППО (the cards are on the ППО
        // themselves), not from the per-row triggers (and the statistics caches, emptied above, have nothing to forget)
        const setAside = (action: string) =>
          [
            'member_periods_person',
            'member_periods_ppo',
            'member_periods_follow_inserted',
            'member_state_forget_inserted',
            'membership_guard_inserted',
          ]
            .map((t) => `${action} TRIGGER ${t}`)
            .join(', ');
        await db.raw(`ALTER TABLE member_periods ${setAside('DISABLE')}`);
        await db.raw(`INSERT INTO member_periods (member_id, organization_id, ppo_id, category, is_pedagogical, valid_from, valid_to, sex, birth_date)
                    SELECT id, organization_id, organization_id, category, is_pedagogical, joined_on, left_on, sex, birth_date FROM members`);
        await db.raw(`ALTER TABLE member_periods ${setAside('ENABLE')}`);
        lap('periods');
        await db.raw(`INSERT INTO membership_events (member_id, kind, happened_on, to_organization_id, category)
                    SELECT id, 'admitted', joined_on, organization_id, category FROM members`);
        await db.raw(`INSERT INTO membership_events (member_id, kind, happened_on, from_organization_id, reason)
                    SELECT id, 'left', left_on, organization_id, (ARRAY['voluntary','dismissed','graduated','other'])[1 + id % 4] FROM members WHERE left_on IS NOT NULL`);
        lap('events');
        // what the members hold is counted once after the load (region_card_counts, region_consent_counts), and
        // each card's live union card set on it once (members.live_card_status, live_card_kind)
        const holdingTriggers = async (action: string) => {
          for (const [table, trigger] of [
            ['union_cards', 'region_card_counts_inserted'],
            ['union_cards', 'members_live_card_inserted'],
            ['member_consents', 'region_consent_counts_inserted'],
          ])
            await db.raw(`ALTER TABLE ${table} ${action} TRIGGER ${trigger}`);
        };
        await holdingTriggers('DISABLE');
        await db.raw(
          `INSERT INTO union_cards (number, member_id, kind, status, status_on)
                    SELECT lpad(id::text, 10, '0'), id, CASE WHEN id % 7 = 0 THEN 'virtual' ELSE 'plastic' END,
                           CASE WHEN left_on IS NOT NULL THEN 'blocked'
                                ELSE (ARRAY['issued','issued','issued','issued','delivered_to_region','handed_to_organization','produced','sent_to_production','requested','refused'])[1 + (id * 7) % 10] END,
                           ?::date
                      FROM members WHERE id % 10 < 7`,
          [TODAY],
        );
        await db.raw("SELECT setval('union_card_number_seq', (SELECT count(*) + 1 FROM members))");
        await db.raw(`INSERT INTO member_consents (member_id, kind, text_version, source, given_on, withdrawn_on)
                    SELECT id, 'processing', '2021-1', CASE WHEN id % 3 = 0 THEN 'online' ELSE 'paper' END, joined_on, left_on FROM members WHERE id % 5 <> 0`);
        await holdingTriggers('ENABLE');
        await db.raw(
          'SELECT region_card_counts_rebuild(); SELECT region_consent_counts_rebuild(); SELECT members_live_card_rebuild()',
        );
        // setting the live card wrote a new version of 2.5 M of the 4 M cards at the end of the heap: rewritten,
        // or every scan of the cards reads 1.7× the pages (668 MB → 1.15 GB) until a VACUUM FULL
        await db.raw('VACUUM FULL members');
        lap('cards and consents');
      },
      lap,
    );
    await unionStatsTriggers(db, 'ENABLE');
    await db.raw('ANALYZE');
    lap('analyze');
    console.log(
      `Loaded ${orgs.length} organizations and ${members} members in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
    );
  } finally {
    await db.destroy();
    await database.embedded?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
