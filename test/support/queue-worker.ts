// An app instance that only runs the job queue's workers, as a child process a test can kill mid-job
// (test/integration/job-queue.test.ts). Its configuration comes from the environment, like the server's;
// APP_DATABASE_URL is the app role's login to the test database.
import { loadConfig } from '../../src/config';
import { buildDeps } from '../../src/deps';
import { createLogger } from '../../src/logger';

const config = loadConfig(process.env);
const deps = buildDeps(config, process.env.APP_DATABASE_URL!, createLogger('silent'));
await deps.jobs.start();
console.log('queue worker ready');
