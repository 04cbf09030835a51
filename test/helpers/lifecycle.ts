import { afterAll, beforeAll } from '@jest/globals';
import { startRedis, type TestRedis } from './redis-server.js';
import { type Stack, type StackOptions, startStack } from './stack.js';

/** Starts a private redis-server for the enclosing describe block (or file); returns a getter. */
export function useRedis(): () => TestRedis {
  let redis: TestRedis | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  return () => {
    if (!redis) throw new Error('useRedis(): redis is not started yet (use it inside a test)');
    return redis;
  };
}

/** Starts an app + dev OP stack for the enclosing block; `options` runs after earlier beforeAll hooks. */
export function useStack(options: () => StackOptions = () => ({})): () => Stack {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack(options());
  });
  afterAll(async () => {
    await stack?.close();
  });
  return () => {
    if (!stack) throw new Error('useStack(): the stack is not started yet (use it inside a test)');
    return stack;
  };
}
