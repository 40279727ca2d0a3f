/** The elected and staff posts an organization's passport lists, and their names on its pages. */
export const OFFICER_POSTS = [
  'chair',
  'deputy',
  'committee',
  'presidium',
  'audit',
  'commission',
  'group_organizer',
  'safety_rep',
  'staff_specialist',
  'staff_accountant',
  'staff_legal_inspector',
  'staff_safety_inspector',
  'staff',
  'volunteer_inspector',
] as const;
export type OfficerPost = (typeof OFFICER_POSTS)[number];
export const OFFICER_POST_LABELS: Record<OfficerPost, string> = {
  chair: 'Председатель',
  deputy: 'Заместитель председателя',
  committee: 'Член профкома',
  audit: 'Член контрольно-ревизионной комиссии',
  group_organizer: 'Профгрупорг',
  safety_rep: 'Уполномоченный по охране труда',
  presidium: 'Член президиума',
  commission: 'Член комиссии профкома',
  staff_specialist: 'Штатный специалист аппарата',
  staff_accountant: 'Штатный бухгалтер аппарата',
  staff_legal_inspector: 'Штатный правовой инспектор труда',
  staff_safety_inspector: 'Штатный технический инспектор (охрана труда)',
  staff: 'Штатный работник аппарата (иная должность)',
  volunteer_inspector: 'Внештатный (общественный) инспектор',
};
