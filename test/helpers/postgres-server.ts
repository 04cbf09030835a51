import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

/** A private PostgreSQL started for one test file, or the one DATABASE_URL points at. */
export interface TestPostgres {
  url: string;
  pool: pg.Pool;
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL with initdb + pg_ctl in a temporary directory on a free port (as the `postgres` user when
 * running as root, since PostgreSQL refuses to run as root), unless DATABASE_URL is set. Fails with install
 * instructions when the binaries are missing.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const external = process.env.DATABASE_URL;
  if (external) {
    const pool = new pg.Pool({ connectionString: external, max: 4 });
    return { url: external, pool, stop: () => pool.end() };
  }
  const bin = findBinDir();
  const port = await freePort();
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
  run('pg_ctl', [
    '-D',
    data,
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
    '-w',
    '-l',
    join(dir, 'log'),
    'start',
  ]);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  return {
    url,
    pool,
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
