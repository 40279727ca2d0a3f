// An app instance's mail worker alone, as a child process a test can kill mid-send
// (test/integration/job-queue.test.ts): the job queue and the mail service built as src/deps.ts builds
// them, without the rest of the app (a child that loads every feature takes long to start on a busy
// machine). Configured from the environment like the server; APP_DATABASE_URL is the app role's login.
import { loadConfig } from '../../src/config';
import { createDb } from '../../src/db/knex';
import { createJobQueue } from '../../src/jobs/job-queue';
import { createLogger } from '../../src/logger';
import { createMailService, mailOptionsOf } from '../../src/mail/mail.service';

const config = loadConfig(process.env);
const logger = createLogger('silent');
const db = createDb(process.env.APP_DATABASE_URL!, { poolMax: 3 });
const jobs = createJobQueue(db, { ...config.jobs, logger });
createMailService(db, jobs, mailOptionsOf(config, logger));
await jobs.start();
console.log('queue worker ready');
