import { spawn } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { useRedis, useStack } from '../helpers/lifecycle.js';
import { CLIENT_SECRET } from '../helpers/stack.js';

const redis = useRedis();
const stack = useStack(() => ({ redisUrl: redis().url }));

describe('router.close()', () => {
  it('closes everything the router opened, so the process exits by itself; the app’s own client stays open', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/close-script.ts'], {
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        ISSUER: stack().op.issuer,
        REDIS_URL: redis().url,
        CLIENT_SECRET,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const exited = await new Promise<number | 'still running'>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('still running');
      }, 15_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code ?? -1);
      });
    });
    expect([exited, out]).toEqual([0, 'LOGIN 302\nLOGIN 302\nOWN ready\n']);
  }, 20_000);
});
