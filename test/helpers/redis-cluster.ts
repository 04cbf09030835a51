import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { freePort } from './free-port.js';
import { spawnRedisOnFreePort } from './redis-server.js';

/** A private 3-master Redis Cluster for one test file. */
export interface TestRedisCluster {
  ports: number[];
  /** A new ioredis Cluster client; closed by stop(). */
  client(): Cluster;
  stop(): Promise<void>;
}

/** Starts three `redis-server --cluster-enabled yes` nodes and joins them with `redis-cli --cluster create`. */
export async function startRedisCluster(): Promise<TestRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'oar-cluster-'));
  const ports: number[] = [];
  const children: ChildProcess[] = [];
  const clients: Cluster[] = [];
  for (let i = 0; i < 3; i++) {
    // Each node on ports of its own, retried if another process takes one first (see spawnRedisOnFreePort).
    const node = await spawnRedisOnFreePort(async (port) => [
      '--port',
      String(port),
      // The cluster bus defaults to port + 10000, which may not exist above 55535: pick a free one explicitly.
      '--cluster-port',
      String(await freePort()),
      '--bind',
      '127.0.0.1',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(dir, `nodes-${port}.conf`),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--loglevel',
      'warning',
    ]);
    ports.push(node.port);
    children.push(node.child);
  }
  execFileSync(
    'redis-cli',
    [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ],
    {
      stdio: 'ignore',
    },
  );
  await waitFor(() => ports.every((p) => clusterOk(p)));
  return {
    ports,
    client() {
      const client = new Cluster(
        ports.map((port) => ({ host: '127.0.0.1', port })),
        { redisOptions: { maxRetriesPerRequest: 1 } },
      );
      client.on('error', () => {});
      clients.push(client);
      return client;
    },
    async stop() {
      for (const c of clients) c.disconnect();
      await Promise.all(
        children.map(
          (c) =>
            new Promise((resolve) => {
              if (c.exitCode !== null) return resolve(null);
              c.once('exit', resolve);
              c.kill('SIGKILL');
            }),
        ),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function clusterOk(port: number): boolean {
  try {
    return execFileSync('redis-cli', ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8' }).includes(
      'cluster_state:ok',
    );
  } catch {
    return false;
  }
}

/** Waits for `check` with a bound generous enough for a loaded machine (the cluster gossips its slots first). */
async function waitFor(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('Redis Cluster did not come up');
    await new Promise((r) => setTimeout(r, 50));
  }
}
