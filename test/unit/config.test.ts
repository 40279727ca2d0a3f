import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { APP_ROOT } from '../../src/app-paths';

describe('configuration', () => {
  it('when nothing is set, then development defaults apply with PORT 3000 and the embedded database', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.loadDemoData).toBe(true);
  });

  it.each([
    [{ PORT: 'abc' }, 'Configuration error: PORT: must be a port number from 1 to 65535'],
    [{ PORT: '70000' }, 'Configuration error: PORT: must be a port number from 1 to 65535'],
    [{ DATABASE_URL: 'mysql://localhost/x' }, 'Configuration error: DATABASE_URL: must be a postgres:// URL'],
    [
      { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/reestr' },
      'Configuration error: SESSION_SECRET: required in production (at least 32 characters)',
    ],
    [{ BCRYPT_COST: '10' }, 'Configuration error: BCRYPT_COST:'],
    [{ TRUST_PROXY: 'true' }, 'Configuration error: TRUST_PROXY: give the number of proxies'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'Configuration error: TRUST_PROXY:'],
    [{ TRUST_PROXY: 'proxy.example' }, 'Configuration error: TRUST_PROXY:'],
  ])('when %o is given, then the error names the variable in one line', (env, message) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message.startsWith(message)).toBe(true);
    expect((error as Error).message).not.toContain('\n');
  });

  it.each([
    ['false', false],
    ['0', false],
    ['1', 1],
    ['2', 2],
    ['10.0.0.0/8, 127.0.0.1', ['10.0.0.0/8', '127.0.0.1']],
    ['loopback,fd00::/8', ['loopback', 'fd00::/8']],
  ])('when TRUST_PROXY is %s, then Express trusts %o', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it('when the server starts with a bad value, then it prints one line naming the variable and exits with 1', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: APP_ROOT,
      env: { PATH: process.env.PATH, PORT: 'not-a-port' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toBe('Configuration error: PORT: must be a port number from 1 to 65535');
  });
});
