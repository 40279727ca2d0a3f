// Officers' personnel files (issue 21, item 1): one file per person — a member card or a non-member person by
// SNILS — whichever of their posts (org_officers) it is opened from. Its sections are rows of their own
// tables: education, work in the union typed by hand (the posts held are read from org_officers), training,
// awards, the reserve of cadres (for which post in which organization) and documents, whose files lie in the
// library's store (LIBRARY_DIR, named by their SHA-256).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE officer_files (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      member_id bigint UNIQUE REFERENCES members(id),
      person_id bigint UNIQUE REFERENCES persons(id),
      notes text NOT NULL DEFAULT '' CHECK (length(notes) <= 5000),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((member_id IS NULL) <> (person_id IS NULL))
    )`);
  const section = (name: string, columns: string) =>
    knex.raw(`
      CREATE TABLE ${name} (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        file_id integer NOT NULL REFERENCES officer_files(id) ON DELETE CASCADE,
        ${columns}
      )`);
  await section(
    'officer_education',
    `level text NOT NULL CHECK (level IN ('general','vocational','higher','postgraduate','other')),
     institution text NOT NULL CHECK (length(institution) BETWEEN 1 AND 500),
     graduated_year integer CHECK (graduated_year BETWEEN 1930 AND 2100),
     speciality text CHECK (length(speciality) <= 500)`,
  );
  await section(
    'officer_experience',
    `organization text NOT NULL CHECK (length(organization) BETWEEN 1 AND 500),
     position text NOT NULL CHECK (length(position) BETWEEN 1 AND 500),
     started_on date NOT NULL,
     ended_on date CHECK (ended_on >= started_on)`,
  );
  await section(
    'officer_trainings',
    `course text NOT NULL CHECK (length(course) BETWEEN 1 AND 500),
     organizer text CHECK (length(organizer) <= 500),
     started_on date NOT NULL,
     ended_on date CHECK (ended_on >= started_on),
     hours integer CHECK (hours BETWEEN 1 AND 10000),
     certificate_number text CHECK (length(certificate_number) <= 100)`,
  );
  await section(
    'officer_awards',
    `kind text NOT NULL CHECK (kind IN ('union','other')),
     title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
     awarded_on date NOT NULL,
     decision text CHECK (length(decision) <= 500)`,
  );
  await section(
    'officer_reserve',
    `post text NOT NULL,
     organization_id integer NOT NULL REFERENCES organizations(id),
     since date NOT NULL,
     until date CHECK (until >= since),
     removed_reason text CHECK (length(removed_reason) <= 500)`,
  );
  await section(
    'officer_documents',
    `title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
     file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
     kind text NOT NULL CHECK (kind IN ('pdf','docx','xlsx','odt')),
     size_bytes bigint NOT NULL CHECK (size_bytes > 0),
     sha256 char(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
     uploaded_by integer REFERENCES users(id) ON DELETE SET NULL,
     uploaded_at timestamptz NOT NULL DEFAULT now()`,
  );
  for (const table of ['education', 'experience', 'trainings', 'awards', 'reserve', 'documents'])
    await knex.raw(`CREATE INDEX officer_${table}_file_idx ON officer_${table} (file_id)`);
  // the monitoring counts the reserve by the organization it is for
  await knex.raw('CREATE INDEX officer_reserve_organization_idx ON officer_reserve (organization_id)');
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['education', 'experience', 'trainings', 'awards', 'reserve', 'documents'])
    await knex.raw(`DROP TABLE officer_${table}`);
  await knex.raw('DROP TABLE officer_files');
}
