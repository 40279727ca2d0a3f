import type { Knex } from 'knex';
import { byChild, inSubtree, type Root } from './monitoring.repo';

/** The officers' figures of a row (issue 21, item 4): from the posts and the personnel files, as they are today. */
export interface OfficerFigures {
  childId: number;
  /** current chairs of open organizations with no training ending in the last N years (file or post) */
  chairsUntrained: number;
  /** reserve entries active today (for a post in an organization of the row) */
  reserve: number;
}

/**
 * Per child of the root: current chairs without training in the last `years` years — neither a training of
 * their personnel file that ended (or, without an end, began) since then, nor the post's own training date
 * since then — and the reserve entries in force today for the child's organizations. Two grouped scans.
 */
export async function officerFiguresByChild(
  db: Knex,
  root: Root,
  today: string,
  years: number,
): Promise<OfficerFigures[]> {
  const since = `(:on::date - interval '1 year' * ${Math.trunc(years)})`;
  // one anti-join per kind of person, each on an equality: «member_id = … OR person_id = …» cannot be hashed, and
  // the union's 71,000 chairs probed the files one by one (50 s on the benchmark's data; 0.5 s this way, under load)
  const trainedSince = `SELECT 1 FROM officer_files ff JOIN officer_trainings t ON t.file_id = ff.id
                         WHERE coalesce(t.ended_on, t.started_on) >= ${since} AND t.started_on <= :on::date`;
  const [chairs, reserve] = await Promise.all([
    byChild<{ childId: number; chairsUntrained: number }>(
      db,
      root,
      today,
      `count(*)::int AS "chairsUntrained"`,
      `FROM org_officers f JOIN organizations o ON o.id = f.organization_id
        WHERE ${inSubtree(root)} AND f.post = 'chair' AND f.ended_on IS NULL AND o.liquidated_on IS NULL
          AND (f.trained_on IS NULL OR f.trained_on < ${since})
          AND NOT EXISTS (${trainedSince} AND ff.member_id = f.member_id)
          AND NOT EXISTS (${trainedSince} AND ff.person_id = f.person_id)`,
    ),
    byChild<{ childId: number; reserve: number }>(
      db,
      root,
      today,
      `count(*)::int AS reserve`,
      `FROM officer_reserve r JOIN organizations o ON o.id = r.organization_id
        WHERE ${inSubtree(root)} AND r.since <= :on::date AND (r.until IS NULL OR r.until > :on::date)`,
    ),
  ]);
  const figures = new Map<number, OfficerFigures>();
  const of = (childId: number) => {
    const known = figures.get(childId) ?? { childId, chairsUntrained: 0, reserve: 0 };
    figures.set(childId, known);
    return known;
  };
  for (const c of chairs) of(c.childId).chairsUntrained = c.chairsUntrained;
  for (const r of reserve) of(r.childId).reserve = r.reserve;
  return [...figures.values()];
}
