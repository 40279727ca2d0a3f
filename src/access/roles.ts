export const ROLES = ['admin', 'coordinator', 'curator', 'chair', 'statistician', 'member'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Администратор',
  coordinator: 'Координатор',
  curator: 'Куратор',
  chair: 'Председатель',
  statistician: 'Статистик',
  member: 'Член Профсоюза',
};

/**
 * What each role may do inside the subtree of the organization it is granted on.
 * Every guard asks `can(principal, action, org)`; adding an action here is the only way to open one.
 */
export const PERMISSIONS = {
  'org.view': ['admin', 'coordinator', 'curator', 'chair', 'statistician'],
  'org.members.count': ['admin', 'coordinator', 'curator', 'chair', 'statistician'],
  'org.export': ['admin', 'coordinator', 'curator', 'statistician'],
  'org.passport.edit': ['admin', 'coordinator', 'chair'],
  'org.units.create': ['admin', 'coordinator', 'chair'],
  'org.restructure': ['admin', 'coordinator'],
  'member.view': ['admin', 'coordinator', 'curator', 'chair'],
  'member.edit': ['admin', 'coordinator', 'chair'],
  'report.view': ['admin', 'coordinator', 'curator', 'chair', 'statistician'],
  'report.file': ['admin', 'coordinator', 'chair'],
  /** checked on the higher organization: it accepts, returns and reopens its children's reports */
  'report.accept': ['admin', 'coordinator'],
  'form.manage': ['admin'],
  /** the union's reference lists (professional groups) and the typed values waiting to be matched to them */
  'reference.manage': ['admin'],
  /** the audit log of the subtree: who saw and changed what (a coordinator's stops at their subtree) */
  'audit.view': ['admin', 'coordinator', 'curator'],
  /** checked on every organization the target user holds a grant on */
  'user.second_factor.reset': ['admin'],
  /** logins and grants of the subtree; who may grant which role is `grantVerdict` in grant-rules.ts */
  'user.manage': ['admin', 'coordinator'],
  /** mass mailings to the subtree's members and activists, and their delivery reports */
  'mailing.send': ['admin', 'coordinator', 'curator', 'chair'],
  /** the document library: documents issued by an organization of the subtree (the admin's: the union's too) */
  'library.manage': ['admin', 'coordinator'],
  /** build, publish and copy questionnaires sent to the organizations of the subtree */
  'survey.manage': ['admin', 'coordinator'],
  /** the surveys sent from the organization or above it, and their results rolled up over the subtree */
  'survey.view': ['admin', 'coordinator', 'curator'],
  /** answer a survey for an organization: only a grant on that organization itself (surveys.service.ts) */
  'survey.answer': ['admin', 'coordinator', 'chair', 'statistician'],
  /** report-and-election campaigns declared at the organization or above it, and their progress over the subtree */
  'campaign.view': ['admin', 'coordinator', 'curator', 'chair'],
  /** declare a campaign at the union or a region for the levels below (campaigns.service.ts) */
  'campaign.manage': ['admin', 'coordinator'],
  /** record an organization's result or postponement (a chair: of their own organization and its units) */
  'campaign.record': ['admin', 'coordinator', 'chair'],
  /** the outbox of letters kept without a mail server, and the union-wide bulk provisioning of chairs */
  'mail.view': ['admin'],
  /** an officer's personnel file, on an organization where the person holds or held a post: a chair only from above */
  'officer.file.edit': ['admin', 'coordinator', 'chair'],
} as const satisfies Record<string, readonly Role[]>;

/**
 * A chair edits the passport of the organization they chair and of its subdivisions and groups,
 * not of other organizations below it (a territorial chair does not edit the ППО's passports), and files
 * only their own organization's reports.
 */
export const CHAIR_LIMITED_TO_OWN_UNITS: ReadonlySet<Action> = new Set<Action>([
  'org.passport.edit',
  'org.units.create',
  'report.file',
  'campaign.record',
]);
export const UNIT_LEVELS: ReadonlySet<string> = new Set(['subdivision', 'group']);

/**
 * A chair keeps the personnel files of the officers below their organization (a territorial chair those of the
 * ППО chairs), never their own organization's: not the file of their own person or of their deputies.
 */
export const CHAIR_ONLY_BELOW: ReadonlySet<Action> = new Set<Action>(['officer.file.edit']);

export type Action = keyof typeof PERMISSIONS;

/**
 * Seniority for granting: a coordinator grants only roles at or below their own (never admin). The
 * read-only curator sits below the coordinator and above the chair: it reads what a coordinator reads.
 */
export const ROLE_RANK: Record<Role, number> = {
  admin: 5,
  coordinator: 4,
  curator: 3,
  chair: 2,
  statistician: 1,
  member: 0,
};

export function roleMay(role: Role, action: Action): boolean {
  return (PERMISSIONS[action] as readonly Role[]).includes(role);
}
