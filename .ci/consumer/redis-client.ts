// An app passing its own ioredis client (whichever ioredis version it has) to every API that takes one.

import { oauthRouter, RedisKvStore, RedisTokenRepository, RedisUserRepository } from 'express-oauth-router';
import { Cluster, Redis } from 'ioredis';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://localhost:6379');
const cluster = new Cluster([{ host: 'localhost', port: 7000 }]);
for (const client of [redis, cluster]) {
  oauthRouter({
    baseUrl: 'http://localhost:3000',
    redis: client,
    session: { secret: process.env.SESSION_SECRET ?? '' },
    kvStore: new RedisKvStore(client),
    userRepository: new RedisUserRepository(client),
    tokenRepository: new RedisTokenRepository(client),
    providers: { google: { clientId: 'id', clientSecret: 'secret' } },
  });
}
