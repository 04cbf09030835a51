import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

/** A private PostgreSQL started for one test file, or a schema of its own in the database DATABASE_URL points at. */
export interface TestPostgres {
  url: string;
  pool: pg.Pool;
  /**
   * Kills the server at once (no shutdown checkpoint), as a crash would, without blocking the event loop, so
   * requests in flight meet it; only for the private server.
   */
  kill?(): Promise<void>;
  /** Starts a killed server again on the same port. */
  start?(): void;
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL with initdb + pg_ctl in a temporary directory on a free port (as the `postgres` user when
 * running as root, since PostgreSQL refuses to run as root), unless DATABASE_URL is set: then in a new schema there,
 * dropped by stop(). Fails with install instructions when the binaries are missing.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const external = process.env.DATABASE_URL;
  if (external) {
    // Test files run at the same time, and earlier runs leave rows behind: each file gets a schema of its own there.
    const schema = `oar_test_${randomBytes(6).toString('hex')}`;
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: external });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    await admin(`CREATE SCHEMA ${schema}`);
    const url = new URL(external);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const pool = new pg.Pool({ connectionString: url.href, max: 4 });
    return {
      url: url.href,
      pool,
      async stop() {
        await pool.end();
        await admin(`DROP SCHEMA ${schema} CASCADE`);
      },
    };
  }
  const bin = findBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'oar-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, uid('postgres'), gid('postgres'));
  const run = (tool: string, args: string[]) => {
    const command = join(bin, tool);
    if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: 'ignore' });
    else execFileSync(command, args, { stdio: 'ignore' });
  };
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  // A port from freePort() is free only until someone else binds it (on a busy machine, another test suite running
  // alongside can): then the server cannot listen, pg_ctl fails, and this tries another port, up to 5 times.
  const log = (port: number) => join(dir, `log-${port}`);
  const startArgs = (port: number) => [
    '-D',
    data,
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
    '-w',
    '-l',
    log(port),
    'start',
  ];
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      run('pg_ctl', startArgs(port));
      break;
    } catch (err) {
      const reason = existsSync(log(port)) ? readFileSync(log(port), 'utf8') : '';
      if (attempt >= 5 || !/could not (bind|create any TCP\/IP sockets)|already in use/i.test(reason)) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`PostgreSQL did not start on port ${port}: ${reason.trim()}`, { cause: err });
      }
    }
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle client whose server went away is reported here; without a listener, pg's pool would crash the process.
  pool.on('error', () => {});
  return {
    url,
    pool,
    kill: () =>
      new Promise<void>((resolve, reject) => {
        const command = join(bin, 'pg_ctl');
        const args = ['-D', data, '-m', 'immediate', 'stop'];
        const [file, argv] = asRoot
          ? ['runuser', ['-u', 'postgres', '--', command, ...args]]
          : [command, args];
        execFile(file, argv, (err) => (err ? reject(err) : resolve()));
      }),
    start: () => run('pg_ctl', startArgs(port)),
    async stop() {
      await pool.end();
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function findBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const dir = join(root, version, 'bin');
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  const which = spawnSync('sh', ['-c', 'dirname "$(command -v initdb)"'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim() && existsSync(join(which.stdout.trim(), 'pg_ctl')))
    return which.stdout.trim();
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl) are missing: run `apt-get install -y postgresql` (Debian/Ubuntu), or set DATABASE_URL to a database the tests may write to',
  );
}

function uid(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}

function gid(user: string): number {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
}
