/**
 * The tables of an officer's personnel file (migrations/20261203170000_create-officer-files.ts) that hang off
 * `officer_files` by `file_id`: what a member's own data lists, a merge of cards carries over and retention
 * removes with the file. The officers feature describes them (src/officers/sections.ts); the features before it
 * in the order only need their names.
 */
export const OFFICER_FILE_TABLES = [
  'officer_education',
  'officer_experience',
  'officer_trainings',
  'officer_awards',
  'officer_reserve',
  'officer_documents',
] as const;
