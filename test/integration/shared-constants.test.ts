import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { ROLES } from '../../src/access/roles';
import { CARD_STATUSES } from '../../src/cards/card-statuses';
import {
  APP_ROLE,
  BLOCK_BITS,
  MEMBER_STATE_LOCK,
  TREE_CHANGE_ON_SETTING,
  UNION_STATS_LOCK,
} from '../../src/db/shared-constants';
import { CHANNEL_LABELS, CONSENT_KIND_LABELS, SOURCE_LABELS } from '../../src/members/consents';
import { CATEGORIES, LEFT_REASONS } from '../../src/membership/membership';
import { EMPLOYER_KINDS, LEVELS, PRIMARY_FORMS } from '../../src/registry/levels';
import { OFFICER_POSTS } from '../../src/registry/officer-posts';
import { AGREEMENT_STATUSES } from '../../src/registry/passport.schemas';
import { createTestDatabase, type TestDatabase } from '../support/db';

// The landed migrations wrote these values into the database's functions as literals; the application
// reads them from src/db/shared-constants.ts. Both sides must agree: a lock taken under another key
// protects nothing, and a block computed with other bits is another block.

let database: TestDatabase;
let db: Knex;
beforeAll(async () => {
  database = await createTestDatabase();
  db = database.ownerDb;
});
afterAll(async () => database.drop());

/** The source of every plpgsql/sql function of the schema that contains `text`. */
async function functionsContaining(text: string): Promise<{ name: string; src: string }[]> {
  const { rows } = await db.raw(
    "SELECT proname AS name, prosrc AS src FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND prosrc LIKE '%' || ? || '%' ORDER BY 1",
    [text],
  );
  return rows;
}

describe('constants shared by the application and the database', () => {
  it("the advisory locks the trigger functions take are the builders' keys, in the builders' order", async () => {
    const locking = await functionsContaining('pg_advisory_xact_lock');
    const keys = new Set(
      locking.flatMap((f) =>
        [...f.src.matchAll(/pg_advisory_xact_lock(?:_shared)?\((\d+)\)/g)].map((m) => Number(m[1])),
      ),
    );
    expect([...keys].sort()).toEqual([MEMBER_STATE_LOCK, UNION_STATS_LOCK].sort());
    // what union_stats_kept really holds afterwards, read from pg_locks (a bigint key shows as objid)
    const held = await db.transaction(async (trx) => {
      await trx.raw("SELECT union_stats_kept('-infinity')");
      const { rows } = await trx.raw(
        "SELECT objid::bigint AS key, mode FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() ORDER BY objid",
      );
      return rows;
    });
    expect(held).toEqual([
      { key: MEMBER_STATE_LOCK, mode: 'ShareLock' },
      { key: UNION_STATS_LOCK, mode: 'ShareLock' },
    ]);
  });

  it("the blocks the forgetting functions compute, and the index over them, use the application's block bits", async () => {
    const shifts = (await functionsContaining('>>')).filter((f) => f.name.startsWith('union_stats_'));
    expect(shifts.length).toBeGreaterThan(5);
    for (const f of shifts)
      expect({ name: f.name, bits: [...new Set([...f.src.matchAll(/>>\s*(\d+)/g)].map((m) => Number(m[1])))] }).toEqual(
        { name: f.name, bits: [BLOCK_BITS] },
      );
    const id = 5 * 2 ** BLOCK_BITS + 17; // an id without positions: its own block only
    expect((await db.raw('SELECT union_stats_blocks_near(ARRAY[?::int]) AS blocks', [id])).rows[0].blocks).toEqual([
      id >> BLOCK_BITS,
    ]);
    const index = (await db.raw("SELECT indexdef FROM pg_indexes WHERE indexname = 'organizations_block_idx'")).rows[0]
      .indexdef;
    expect(index).toContain(`(id >> ${BLOCK_BITS})`);
  });

  it("the tree history's trigger reads the setting a restructuring transaction dates its changes with", async () => {
    const [trigger] = await functionsContaining('current_setting');
    expect(trigger!.name).toBe('org_tree_history_moved');
    expect(trigger!.src).toContain(`current_setting('${TREE_CHANGE_ON_SETTING}', true)`);
  });

  it('the functions the application role may execute are granted to that role', async () => {
    const { rows } = await db.raw(
      "SELECT p.proname AS name FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND has_function_privilege(?, p.oid, 'EXECUTE') AND p.prosecdef ORDER BY 1",
      [APP_ROLE],
    );
    expect(rows.map((r: { name: string }) => r.name)).toEqual([
      'analyze_tables',
      'depersonalise_audit',
      'depersonalise_person_audit',
    ]);
  });

  it("the values the database's checks allow are the application's lists", async () => {
    const { rows } = await db.raw(
      "SELECT conrelid::regclass::text AS t, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'c' AND connamespace = 'public'::regnamespace",
    );
    const allowed = new Map<string, string[]>();
    for (const { t, def } of rows as { t: string; def: string }[]) {
      const m = /^CHECK \(\((\w+) = ANY \(ARRAY\[(.*)\]\)\)\)$/.exec(def);
      if (m) allowed.set(`${t}.${m[1]}`, [...m[2]!.matchAll(/'([^']*)'::/g)].map((v) => v[1]!).sort());
    }
    const lists: Record<string, readonly string[]> = {
      'organizations.level': LEVELS,
      'organizations.employer_kind': EMPLOYER_KINDS,
      'organizations.primary_form': PRIMARY_FORMS,
      'role_grants.role': ROLES,
      'members.category': CATEGORIES,
      'member_periods.category': CATEGORIES,
      'membership_events.category': CATEGORIES,
      'members.left_reason': LEFT_REASONS,
      'org_officers.post': OFFICER_POSTS,
      'collective_agreements.status': AGREEMENT_STATUSES,
      'collective_agreement_history.status': AGREEMENT_STATUSES,
      'union_cards.status': CARD_STATUSES,
      'member_consents.kind': Object.keys(CONSENT_KIND_LABELS),
      'member_consents.channel': Object.keys(CHANNEL_LABELS),
      'member_consents.source': Object.keys(SOURCE_LABELS),
    };
    for (const [column, list] of Object.entries(lists))
      expect({ column, values: allowed.get(column) }).toEqual({ column, values: [...list].sort() });
  });
});
