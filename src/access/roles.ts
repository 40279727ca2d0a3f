export const ROLES = ['admin', 'coordinator', 'chair', 'statistician', 'member'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Администратор',
  coordinator: 'Координатор',
  chair: 'Председатель',
  statistician: 'Статистик',
  member: 'Член Профсоюза',
};

/**
 * What each role may do inside the subtree of the organization it is granted on.
 * Every guard asks `can(principal, action, org)`; adding an action here is the only way to open one.
 */
export const PERMISSIONS = {
  'org.view': ['admin', 'coordinator', 'chair', 'statistician'],
  'org.members.count': ['admin', 'coordinator', 'chair', 'statistician'],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof PERMISSIONS;

export function roleMay(role: Role, action: Action): boolean {
  return (PERMISSIONS[action] as readonly Role[]).includes(role);
}
