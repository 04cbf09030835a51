import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

/** A private redis-server started for one test file; it never touches a Redis the user runs. */
export interface TestRedis {
  port: number;
  url: string;
  /** A new client; closed by stop(). */
  client(): Redis;
  /** Stops the server (SIGTERM, no persistence) without closing clients. */
  kill(): Promise<void>;
  /** Starts it again on the same port after kill(). */
  restart(): Promise<void>;
  /** Stalls the server (SIGSTOP): connections stay open and nothing answers, as with a hung host or a partition. */
  pause(): void;
  /** Lets a paused server answer again (SIGCONT). */
  resume(): void;
  /** Closes every client and stops the server. */
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` on a free port with persistence off. Fails with install instructions when the binary
 * is missing.
 */
export async function startRedis(): Promise<TestRedis> {
  const args = (port: number) => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--loglevel',
    'warning',
  ];
  let { child, port } = await spawnRedisOnFreePort(args);
  const clients: Redis[] = [];
  const kill = async () => {
    const c = child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  const restart = async () => {
    // The clients know this port: it has to be this one again. Another process may have bound it meanwhile (the OS
    // hands out freed ports), so retry for a while before giving up with the reason.
    let lastError: unknown;
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        child = await spawnRedis(port, args(port));
        return;
      } catch (err) {
        if (!(err instanceof RedisDidNotStart)) throw err;
        lastError = err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    throw lastError;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    client() {
      const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
      client.on('error', () => {});
      clients.push(client);
      return client;
    },
    kill,
    restart,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    async stop() {
      for (const c of clients) c.disconnect();
      child.kill('SIGCONT');
      await kill();
    },
  };
}

/** redis-server exited before it answered on its port, or another server answers there. */
export class RedisDidNotStart extends Error {}

/**
 * Spawns redis-server with `args(port)` on a port from freePort(), and resolves once that very process answers
 * there. A port from freePort() is free only until someone else binds it: on a busy machine (another test suite
 * running alongside, thousands of client connections taking ephemeral ports) it can be gone by the time
 * redis-server starts. Then redis-server exits, and this tries another port, up to 5 times.
 */
export async function spawnRedisOnFreePort(
  args: (port: number) => string[] | Promise<string[]>,
): Promise<{ child: ChildProcess; port: number }> {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error(
      'redis-server is not installed: run `apt-get install -y redis-server` (Debian/Ubuntu) or `brew install redis`',
    );
  }
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return { child: await spawnRedis(port, await args(port)), port };
    } catch (err) {
      if (!(err instanceof RedisDidNotStart) || attempt >= 5) throw err;
    }
  }
}

/**
 * Spawns redis-server and waits (up to 15 s: a loaded machine is slow to start processes) until it answers on
 * `port`, checking by process id that the answer comes from this process and not from a server someone else
 * started on that port. Throws RedisDidNotStart, with redis-server's own output, when it exits first.
 */
async function spawnRedis(port: number, args: string[]): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    if (output.length < 4_000) output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new RedisDidNotStart(`redis-server on port ${port} exited: ${output.trim()}`);
    const pid = await serverPid(port);
    if (pid === child.pid) return child;
    if (pid !== undefined) {
      await stop();
      throw new RedisDidNotStart(`another server (pid ${pid}) answers on port ${port}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not start on port ${port} within 15 s: ${output.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The process id of the Redis server answering on `port`, or undefined when none answers (yet). */
async function serverPid(port: number): Promise<number | undefined> {
  const probe = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    commandTimeout: 1_000,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    const info = await probe.info('server');
    return Number(/^process_id:(\d+)/m.exec(info)?.[1]);
  } catch {
    return undefined;
  } finally {
    probe.disconnect();
  }
}
