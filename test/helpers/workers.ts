import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DevProvider, startDevProvider } from '../../dev-provider/index.js';
import { CLIENT_SECRET, TEST_SECRET } from './stack.js';
import { newKey } from './vault.js';

/** What an app-worker process is configured with (see app-worker.ts). */
export interface WorkerConfig {
  redisUrl: string;
  issuer: string;
  baseUrl: string;
  key: string;
  secret: string;
  clientSecret: string;
}

export interface Worker {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts an app instance in its own process (with extra environment variables) and resolves once it listens. */
export function startWorker(config: WorkerConfig, env: Record<string, string> = {}): Promise<Worker> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/app-worker.ts'], {
    env: { ...process.env, NODE_OPTIONS: '', WORKER_CONFIG: JSON.stringify(config), ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /READY (\d+)/.exec(out);
      if (match) {
        resolve({
          port: Number(match[1]),
          child,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.stdin?.end();
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
}

/** A round-robin HTTP proxy in front of the workers, like a load balancer without sticky sessions. */
export interface RoundRobinProxy {
  url: string;
  /** Requests sent to each worker, by index. */
  counts: number[];
  setTargets(ports: number[]): void;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(): Promise<RoundRobinProxy> {
  let targets: number[] = [];
  let next = 0;
  const counts: number[] = [];
  const server: Server = createServer((req, res) => {
    const index = next++ % targets.length;
    counts[index] = (counts[index] ?? 0) + 1;
    const upstream = request(
      {
        host: '127.0.0.1',
        port: targets[index],
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    setTargets(ports) {
      targets = ports;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Several app instances (processes) behind a round-robin proxy, sharing one Redis and one development OP. */
export interface Fleet {
  proxy: RoundRobinProxy;
  op: DevProvider;
  workers: Worker[];
  /** The proxy as the sign-in helpers (`authorize`, `signIn`) address an app. */
  site: { url(path: string): string; mountPath: string; origin: string };
  close(): Promise<void>;
}

/** Starts `count` workers in integration mode behind a round-robin proxy, with an OP that rotates refresh tokens. */
export async function startFleet(redisUrl: string, count = 3): Promise<Fleet> {
  const proxy = await startRoundRobinProxy();
  const op = await startDevProvider({
    clients: [
      {
        client_id: 'acme-app',
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${proxy.url}/auth/acme/callback`],
        grant_types: ['authorization_code', 'refresh_token'],
      },
    ],
    configuration: { rotateRefreshToken: true },
  });
  const config = {
    redisUrl,
    issuer: op.issuer,
    baseUrl: proxy.url,
    key: newKey(),
    secret: TEST_SECRET,
    clientSecret: CLIENT_SECRET,
  };
  const workers = await Promise.all(Array.from({ length: count }, () => startWorker(config)));
  proxy.setTargets(workers.map((w) => w.port));
  return {
    proxy,
    op,
    workers,
    site: { url: (path) => `${proxy.url}${path}`, mountPath: '/auth', origin: proxy.url },
    async close() {
      await Promise.all(workers.map((w) => w.stop()));
      await proxy.close();
      await op.close();
    },
  };
}

/** A background-job process (job-worker.ts): no HTTP server, only `router.forUser()`. */
export interface JobProcess {
  child: ChildProcess;
  /** Starts the calls and resolves with their statuses (or error codes). */
  go(): Promise<(number | string)[]>;
}

/** Starts a job process and resolves once its router is built. */
export function startJob(
  config: WorkerConfig & { userId: string; url: string; calls: number },
): Promise<JobProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/job-worker.ts'], {
    env: { ...process.env, NODE_OPTIONS: '', JOB_CONFIG: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(out);
        if (!match) return;
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
        resolve(match);
      };
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        check();
      };
      const onExit = (code: number | null) => reject(new Error(`job exited with ${code}: ${out}`));
      child.stdout?.on('data', onData);
      child.once('exit', onExit);
      check();
    });
  return waitFor(/READY\n/).then(() => ({
    child,
    async go() {
      const done = waitFor(/DONE (.*)\n/);
      child.stdin?.write('GO\n');
      return JSON.parse((await done)[1] as string) as (number | string)[];
    },
  }));
}
