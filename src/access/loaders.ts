import type { NextFunction, Request, Response } from 'express';
import { NotFoundError } from '../http/errors';
import { principalOf } from '../http/guards';
import type { MemberRow } from '../members/members.repo';
import type { OrgRow } from '../registry/orgs.repo';
import { parseId } from '../shared/numbers';
import { INPO_PATTERN } from '../shared/inpo';
import { memberOrgRef, withinSubtrees, type OrgRef } from './access';
import type { ParamLoader } from './route-guards';

/** What a route's loader resolved from its URL; `can(...)` checks the action on `org`. */
export interface AccessTarget {
  org: OrgRef;
  organization?: OrgRow;
  /** The organization's ancestors, root first (read with it, for the breadcrumbs). */
  ancestors?: OrgRow[];
  member?: MemberRow;
  /** What the card's page shows beside it, read with it by the card page's loader. */
  memberPage?: unknown;
  /** The figures of the organization's passport header (its members on record…), read with it by organizationWithFigures. */
  figures?: unknown;
  /** The card is the logged-in member's own: they may view it whatever their grants. */
  ownCard?: boolean;
  transferRequestId?: number;
}

/** How the loaders read the objects: the features' repos, given by the composition root (access imports no feature). */
export interface ObjectFinders {
  /** The organization with this ИНПО and its ancestors, root first (empty when there is none). */
  lineageByInpo(inpo: string): Promise<OrgRow[]>;
  /** The same lineage with the figures of the organization's passport header, in one statement. */
  lineageWithHeaderByInpo(inpo: string): Promise<{ lineage: OrgRow[]; figures: unknown } | undefined>;
  member(id: number): Promise<MemberRow | undefined>;
  /** The card with what its page shows, in one statement (the card page's loader). */
  memberWithPage(id: number): Promise<{ member: MemberRow; details: unknown } | undefined>;
  /** A transfer request's receiving organization: the one that decides it. */
  transferRequestReceiver(id: number): Promise<OrgRef | undefined>;
  unionRoot(): Promise<OrgRow | undefined>;
}

/**
 * Loaders resolve the object a URL names within the user's subtrees, or answer 404 — the same answer
 * as for an object that does not exist, so ids and ИНПО cannot be probed. The permission is checked after
 * them by the `can(...)` that every route line names.
 */
export function createLoaders(find: ObjectFinders) {
  /** `:inpo` read with `read`: the organization, with its ancestors; `figures` is what else it read. */
  const organizationBy =
    (read: (inpo: string) => Promise<{ lineage: OrgRow[]; figures?: unknown } | undefined>): ParamLoader =>
    async (req, _res, next, inpo) => {
      const found = INPO_PATTERN.test(inpo) ? await read(inpo) : undefined;
      const lineage = found?.lineage ?? [];
      const org = lineage.pop();
      if (!org || !withinSubtrees(principalOf(req), org)) throw new NotFoundError();
      req.access = { org, organization: org, ancestors: lineage, figures: found?.figures };
      next();
    };
  /** `:inpo`: the organization, with its ancestors. */
  const organization = organizationBy(async (inpo) => ({ lineage: await find.lineageByInpo(inpo) }));
  /**
   * `:inpo` of a passport tab or the member list: the organization with its header's figures (the list's
   * total is its members on record), in one statement. As for the card page, the figures are read before the
   * route's permission is checked; a refused request shows none of them.
   */
  const organizationWithFigures = organizationBy((inpo) => find.lineageWithHeaderByInpo(inpo));

  /** `:id` of a member card, read with `read`; `memberPage` is what else it read. */
  const memberBy =
    (read: (id: number) => Promise<{ member: MemberRow; details?: unknown } | undefined>): ParamLoader =>
    async (req, _res, next, raw) => {
      const id = parseId(raw);
      const found = id === null ? undefined : await read(id);
      if (!found) throw new NotFoundError();
      const { member, details } = found;
      const ownCard = principalOf(req).memberId === member.id;
      const org = memberOrgRef(member);
      if (!ownCard && !withinSubtrees(principalOf(req), org)) throw new NotFoundError();
      req.access = { org, member, ownCard, memberPage: details };
      next();
    };
  /** `:id` of a member card. */
  const member = memberBy(async (id) => {
    const found = await find.member(id);
    return found && { member: found };
  });
  /**
   * `:id` of the card page: the card with what the page shows, in one statement. The page's parts are read
   * before the route's permission is checked, as the card itself is; a refused request shows none of them.
   */
  const memberPage = memberBy((id) => find.memberWithPage(id));

  /** `:id` of a transfer request: decided by its receiving organization. */
  const transferRequest: ParamLoader = async (req, _res, next, raw) => {
    const id = parseId(raw);
    const receiver = id === null ? undefined : await find.transferRequestReceiver(id);
    if (!receiver || !withinSubtrees(principalOf(req), receiver)) throw new NotFoundError();
    req.access = { org: receiver, transferRequestId: id! };
    next();
  };

  /** The union's root, for the union-wide pages (form definitions). */
  async function union(req: Request, _res: Response, next: NextFunction) {
    const root = await find.unionRoot();
    if (!root || !withinSubtrees(principalOf(req), root)) throw new NotFoundError();
    req.access = { org: root, organization: root, ancestors: [] };
    next();
  }

  return { organization, organizationWithFigures, member, memberPage, transferRequest, union };
}

export type Loaders = ReturnType<typeof createLoaders>;

function target(req: Request): AccessTarget {
  if (!req.access) throw new Error(`${req.method} ${req.path}: the route has no loader for its object`);
  return req.access;
}

/** The organization the route's `:inpo` names, already authorized by the route's `can(...)`. */
export function orgOf(req: Request): OrgRow {
  const org = target(req).organization;
  if (!org) throw new Error(`${req.method} ${req.path}: the route's object is not an organization`);
  return org;
}

/** The organization's ancestors read with it (root first). */
export function ancestorsOf(req: Request): OrgRow[] {
  return target(req).ancestors ?? [];
}

/** The transfer request the route's `:id` names, its receiving organization already authorized. */
export function transferRequestOf(req: Request): number {
  const id = target(req).transferRequestId;
  if (id === undefined) throw new Error(`${req.method} ${req.path}: the route's object is not a transfer request`);
  return id;
}

/** The passport header's figures read by the loader organizationWithFigures (undefined with another loader). */
export function orgFiguresOf(req: Request): unknown {
  return target(req).figures;
}

/** What the card page's loader read beside the card (undefined on the card's other routes). */
export function memberPageOf(req: Request): unknown {
  return target(req).memberPage;
}

/** The member card the route's `:id` names, already authorized by the route's `can(...)`. */
export function memberOf(req: Request): MemberRow {
  const member = target(req).member;
  if (!member) throw new Error(`${req.method} ${req.path}: the route's object is not a member card`);
  return member;
}
