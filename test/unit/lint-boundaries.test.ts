import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The layering rules of eslint.config.js, run on snippets placed at real paths of the tree: each
// import below resolves to an existing module, as it would in a file someone is about to commit.
const eslint = new ESLint();

const rulesBroken = async (filePath: string, code: string) => {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
};

describe('layering rules', () => {
  it('when a routes file imports a repo, then the lint names the zone', async () => {
    const broken = await rulesBroken(
      'src/members/lint-probe.routes.ts',
      "import { findMember } from './members.repo';\nexport const probe = findMember;\n",
    );
    expect(broken).toEqual([expect.stringMatching(/^import-x\/no-restricted-paths: .*Routes parse and render/)]);
  });

  it('when a routes file imports the database handle, then the lint refuses it too', async () => {
    const broken = await rulesBroken(
      'src/members/lint-probe.routes.ts',
      "import { createDb } from '../db/knex';\nexport const probe = createDb;\n",
    );
    expect(broken).toEqual([expect.stringMatching(/^import-x\/no-restricted-paths: .*through a service/)]);
  });

  it('when a routes file imports a service, then the lint is silent', async () => {
    const broken = await rulesBroken(
      'src/members/lint-probe.routes.ts',
      "import { createMembersService } from './members.service';\nexport const probe = createMembersService;\n",
    );
    expect(broken).toEqual([]);
  });

  it('when a repo imports from http/, then the lint refuses it', async () => {
    const broken = await rulesBroken(
      'src/members/lint-probe.repo.ts',
      "import { NotFoundError } from '../http/errors';\nexport const probe = NotFoundError;\n",
    );
    expect(broken).toEqual([expect.stringMatching(/^import-x\/no-restricted-paths: .*Repos hold SQL only/)]);
  });

  it('when access/ imports a feature at run time, then the lint refuses it; a row type is allowed', async () => {
    const runtime = await rulesBroken(
      'src/access/lint-probe.ts',
      "import { findMember } from '../members/members.repo';\nexport const probe = findMember;\n",
    );
    expect(runtime).toEqual([
      expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: .*sit below every feature/),
    ]);

    const typeOnly = await rulesBroken(
      'src/access/lint-probe.ts',
      "import type { MemberRow } from '../members/members.repo';\nexport type Probe = MemberRow;\n",
    );
    expect(typeOnly).toEqual([]);
  });

  it('when a feature imports one that comes after it, then the lint refuses the circle before it closes', async () => {
    const broken = await rulesBroken(
      'src/registry/lint-probe.ts',
      "import { createMembersService } from '../members/members.service';\nexport const probe = createMembersService;\n",
    );
    expect(broken).toEqual([
      expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: .*registry\/ may not import/),
    ]);
  });

  it('when a migration imports from src/, then only the shared constants are allowed', async () => {
    const fromSrc = await rulesBroken(
      'migrations/29990101000000_lint-probe.ts',
      "import { createDb } from '../src/db/knex';\nexport const probe = createDb;\n",
    );
    expect(fromSrc).toEqual([expect.stringMatching(/^import-x\/no-restricted-paths: .*A migration is frozen/)]);

    const constants = await rulesBroken(
      'migrations/29990101000000_lint-probe.ts',
      "import * as constants from '../src/db/shared-constants';\nexport const probe = constants;\n",
    );
    expect(constants).toEqual([]);
  });

  it('when a service writes SQL, then the lint sends it to a repo; the same query in a repo passes', async () => {
    const query =
      "import type { Knex } from 'knex';\nexport const probe = (db: Knex) => db('members').where({ id: 1 }).first();\n";
    const inService = await rulesBroken('src/members/lint-probe.service.ts', query);
    expect(inService).toEqual([
      expect.stringMatching(/^no-restricted-syntax: SQL lives in \*\.repo\.ts/),
      expect.stringMatching(/^no-restricted-syntax: SQL lives in \*\.repo\.ts/),
    ]);
    const raw = await rulesBroken(
      'src/members/lint-probe.ts',
      "import type { Knex } from 'knex';\nexport const probe = (trx: Knex) => trx.raw('SELECT 1');\n",
    );
    expect(raw).toEqual([expect.stringMatching(/^no-restricted-syntax: SQL lives in/)]);
    expect(await rulesBroken('src/members/lint-probe.repo.ts', query)).toEqual([]);
  });

  it("when a service imports another feature's repo, then the lint refuses it; its service, a type or a repo's join pass", async () => {
    const runtime = await rulesBroken(
      'src/users/lint-probe.service.ts',
      "import { findOrgByInpo } from '../registry/orgs.repo';\nexport const probe = findOrgByInpo;\n",
    );
    expect(runtime).toEqual([
      expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: .*through its services, not its repos/),
    ]);
    const allowed = [
      [
        'src/users/lint-probe.service.ts',
        "import { findOrgByInpo } from '../registry/organizations.service';\nexport const probe = findOrgByInpo;\n",
      ],
      [
        'src/users/lint-probe.service.ts',
        "import type { OrgRow } from '../registry/orgs.repo';\nexport type Probe = OrgRow;\n",
      ],
      [
        'src/users/lint-probe.repo.ts',
        "import { selectOrg } from '../registry/orgs.repo';\nexport const probe = selectOrg;\n",
      ],
    ];
    for (const [file, code] of allowed) expect(await rulesBroken(file!, code!), code).toEqual([]);
  });

  it('when two modules import each other, then the lint reports the cycle', async () => {
    // shared/event-dates.ts imports shared/dates.ts; this makes dates.ts import it back
    const broken = await rulesBroken(
      'src/shared/dates.ts',
      "import { probe } from './event-dates';\nexport const back = probe;\n",
    );
    expect(broken).toContainEqual(expect.stringMatching(/^import-x\/no-cycle: Dependency cycle detected/));
  });
});
