import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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

/** Starts an app instance in its own process and resolves once it listens. */
export function startWorker(config: WorkerConfig): Promise<Worker> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/app-worker.ts'], {
    env: { ...process.env, NODE_OPTIONS: '', WORKER_CONFIG: JSON.stringify(config) },
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
