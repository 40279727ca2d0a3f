// A personnel file for the route fixtures: a member's post in the organization, one entry of every section and a
// document whose file (a tiny PDF signature) lies in the library's folder.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { OrgRow } from '../../src/registry/orgs.repo';

export interface OfficerFileParams {
  postId: string;
  educationId: string;
  experienceId: string;
  trainingId: string;
  awardId: string;
  reserveId: string;
  documentId: string;
}

export async function createOfficerFile(
  db: Knex,
  libraryDir: string,
  org: OrgRow,
  memberId: number,
): Promise<OfficerFileParams> {
  const [post] = await db('org_officers')
    .insert({
      organization_id: org.id,
      post: 'deputy',
      surname: 'Петрова',
      name: 'Мария',
      member_id: memberId,
      elected_on: '2024-01-10',
    })
    .returning('id');
  const [file] = await db('officer_files').insert({ member_id: memberId }).returning('id');
  const row = async (table: string, values: Record<string, unknown>) =>
    String(
      (
        await db(table)
          .insert({ file_id: file.id, ...values })
          .returning('id')
      )[0].id,
    );
  const bytes = Buffer.from('%PDF-1.4\n% Удостоверение\n%%EOF\n');
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  fs.mkdirSync(libraryDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(libraryDir, sha256), bytes, { mode: 0o600 });
  return {
    postId: String(post.id),
    educationId: await row('officer_education', { level: 'higher', institution: 'Педагогический университет' }),
    experienceId: await row('officer_experience', {
      organization: 'Профком школы',
      position: 'Председатель',
      started_on: '2010-09-01',
    }),
    trainingId: await row('officer_trainings', { course: 'Школа профсоюзного лидера', started_on: '2025-03-10' }),
    awardId: await row('officer_awards', { kind: 'union', title: 'Почётная грамота', awarded_on: '2024-10-05' }),
    reserveId: await row('officer_reserve', { post: 'chair', organization_id: org.id, since: '2024-01-01' }),
    documentId: await row('officer_documents', {
      title: 'Удостоверение',
      file_name: 'Удостоверение.pdf',
      kind: 'pdf',
      size_bytes: bytes.length,
      sha256,
    }),
  };
}
