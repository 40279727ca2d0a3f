// ESLint flat config: typescript-eslint's recommended rules plus the layering that README's
// architecture section describes, so that a route reaching into a repo fails `npm run lint`
// (and with it `npm test`) instead of waiting for a reviewer to notice.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The feature folders of src/, in the order they may use each other: a folder may import the ones
 * listed before it and never one listed after it, so no two features can import each other. */
const FEATURE_ORDER = [
  'jobs',
  'imports',
  'mail',
  'notifications',
  'auth',
  'membership',
  'drafts',
  'registry',
  'cards',
  'members',
  'unsubscribe',
  'mailings',
  'exports',
  'reports',
  'monitoring',
  'analytics',
  'surveys',
  'users',
  'me',
  'join',
  // the document templates print members', applicants' and organizations' data
  'templates',
  // the document library (/library): uploads from imports/, text jobs on jobs/
  'library',
  // officers' personnel files (documents kept in the library's storage)
  'officers',
  // report-and-election campaigns: their results update the officers
  'campaigns',
  // meetings of the bodies: attendance by union card, minutes from the document templates
  'meetings',
  // the API after join: the app's admission (POST /api/v1/applications) is the join service's
  'api',
  'home',
  'account',
  'ops',
];

/**
 * Folder-level rules compare what is imported at run time: a type import is erased and does not
 * tie modules together (access/loaders.ts describes the rows its finders return with the repos'
 * row types, and the composition root hands it the repos).
 */
const runtimeImportsOf = (folders, message) => ({
  patterns: folders.map((folder) => ({
    group: [`**/${folder}/*`],
    allowTypeImports: true,
    message,
  })),
});

/** What access/, shared/, db/ and the audit recorder never import: everything that builds on them. */
const BELOW_FEATURES = [...FEATURE_ORDER, 'audit'];
const BELOW_FEATURES_MESSAGE =
  'access/, shared/, db/ and audit/audit.ts sit below every feature: features are handed to them (deps.ts), never imported.';

const FEATURE_ORDER_MESSAGE = (feature) =>
  `Features use each other in one direction only (eslint.config.js FEATURE_ORDER): ${feature}/ may not import this one.`;

/**
 * Another folder's repos, imported at run time: a feature reaches another one's data through that
 * feature's services (`registry/organizations.service.ts`, `auth/logins.service.ts`, …), which take the
 * caller's handle so that one transaction still spans both. Repos are exempt: a query may build on
 * another feature's query (a join, a subquery) rather than cost a second round trip.
 */
const otherReposOf = (folder) => ({
  group: BELOW_FEATURES.filter((other) => other !== folder).map((other) => `**/${other}/**/*.repo`),
  allowTypeImports: true,
  message: `A feature uses another one's data through its services, not its repos (README, Architecture): ${folder}/ may not import this repo.`,
});

/**
 * Per feature: it may not import, at run time, the features that come after it; and outside its repos,
 * no other folder's repo. (One block per file set: a later block's options replace an earlier one's.)
 */
const featureConfigs = FEATURE_ORDER.flatMap((feature, index) => {
  const later = runtimeImportsOf(FEATURE_ORDER.slice(index + 1), FEATURE_ORDER_MESSAGE(feature)).patterns;
  return [
    {
      files: [`src/${feature}/**/*.ts`],
      rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: later }] },
    },
    {
      files: [`src/${feature}/**/*.ts`],
      ignores: ['src/**/*.repo.ts'],
      rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [...later, otherReposOf(feature)] }] },
    },
  ];
});

/** The audit journal's pages and the HTTP set-up are no feature of the order, but keep to others' services too. */
const outsideTheOrderConfigs = [
  { files: ['src/audit/audit-viewer.*'], folder: 'audit' },
  { files: ['src/http/**/*.ts'], folder: 'http' },
].map(({ files, folder }) => ({
  files,
  ignores: ['src/**/*.repo.ts'],
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [otherReposOf(folder)] }] },
}));

/** Layering by file role, checked on the resolved file (so `../x/y.repo` and `./y.repo` alike). */
const LAYER_ZONES = {
  routesUseServices: ['./src/**/*.repo.ts', './src/db/knex.ts'].map((from) => ({
    target: './src/**/*.routes.ts',
    from,
    message: 'Routes parse and render: reach the data through a service (README, Architecture).',
  })),
  reposHoldSqlOnly: [
    {
      target: './src/**/*.repo.ts',
      from: ['./src/**/*.service.ts', './src/**/*.routes.ts', './src/http/**'],
      message: 'Repos hold SQL only: they know nothing of services, routes or HTTP.',
    },
  ],
  migrationsAreFrozen: [
    {
      target: './migrations',
      from: './src',
      except: ['./db/shared-constants.ts'],
      message: 'A migration is frozen once landed: it may import only the shared constants module.',
    },
  ],
};

const restrictedPaths = ['error', { basePath: import.meta.dirname, zones: Object.values(LAYER_ZONES).flat() }];

/**
 * SQL lives in repos (`*.repo.ts`) and db/: elsewhere, calling the Knex handle (`db('members')`,
 * `trx.raw(…)`, `db.fn.now()`) or a query builder's methods is refused. A service may still open a
 * transaction (`db.transaction`) and hand a builder a repo returned to another repo.
 */
const SQL_MESSAGE = "SQL lives in *.repo.ts (README, Architecture): move the query into the feature's repo.";
const KNEX_HANDLE = '/^(db|trx|knex)$/';
const BUILDER_METHODS =
  '/^(raw|whereRaw|orWhereRaw|andWhereRaw|where|orWhere|andWhere|whereIn|whereNotIn|whereNull|whereNotNull|whereNot|whereExists|whereBetween|orderBy|orderByRaw|groupBy|groupByRaw|having|havingRaw|leftJoin|innerJoin|joinRaw|returning|onConflict|forUpdate|forNoKeyUpdate|forShare|countDistinct)$/';
const sqlOutsideRepos = [
  { selector: `CallExpression[callee.type='Identifier'][callee.name=${KNEX_HANDLE}]`, message: SQL_MESSAGE },
  {
    selector: `MemberExpression[object.name=${KNEX_HANDLE}][property.name=/^(fn|ref|select|from|insert|update|with|schema)$/]`,
    message: SQL_MESSAGE,
  },
  { selector: `CallExpression[callee.property.name=${BUILDER_METHODS}]`, message: SQL_MESSAGE },
];

/**
 * Files another piece of work is rewriting now, left as they are until it lands, each with why: they
 * keep the feature order but not yet the rules above. Delete a line when its file is brought in line.
 */
const LINT_EXCEPTIONS = [
  {
    // the duplicate checks and the member/organization search are being rewritten for normalised
    // matching (issue #16 item 5); housekeeping moves onto the job queue (issue #19)
    files: ['src/members/duplicate-guard.ts', 'src/ops/housekeeping.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // export jobs are moving onto the job queue (issue #19): it reads the job's principal and organization
    // from the auth and registry repos, and claims its jobs with SQL of its own
    files: ['src/exports/export-jobs.ts'],
    rules: {
      'no-restricted-syntax': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        runtimeImportsOf(FEATURE_ORDER.slice(FEATURE_ORDER.indexOf('exports') + 1), FEATURE_ORDER_MESSAGE('exports')),
      ],
    },
  },
];

export default defineConfig(
  globalIgnores(['dist/', 'test-results/', 'coverage/', '.data/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    plugins: { 'import-x': importX },
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    settings: {
      // import-x parses the imported files itself (for the cycle search) and must know they are TypeScript
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      'import-x/no-restricted-paths': restrictedPaths,
    },
  },
  {
    // the scripts the pages load (views/layouts/main.ejs, and a page's own), classic scripts in the browser
    files: ['public/js/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser } },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      // Whole-graph cycle search is the slowest rule here; src/ is where a cycle breaks start-up order.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['src/access/**/*.ts', 'src/shared/**/*.ts', 'src/db/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', runtimeImportsOf(BELOW_FEATURES, BELOW_FEATURES_MESSAGE)],
    },
  },
  {
    // the audit recorder is below every feature, which all write through it; its journal pages are a
    // feature of their own that reads members and organizations
    files: ['src/audit/**/*.ts'],
    ignores: ['src/audit/audit-viewer.*'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        runtimeImportsOf(
          BELOW_FEATURES.filter((folder) => folder !== 'audit'),
          BELOW_FEATURES_MESSAGE,
        ),
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    // the indicator engine is the reports' query layer: each module composes set-based SQL from the
    // fragments of catalog.ts and sql-fragments.ts (a folder of repos by another name)
    ignores: ['src/**/*.repo.ts', 'src/db/**', 'src/reports/indicators/**'],
    rules: { 'no-restricted-syntax': ['error', ...sqlOutsideRepos] },
  },
  ...featureConfigs,
  ...outsideTheOrderConfigs,
  ...LINT_EXCEPTIONS,
);
