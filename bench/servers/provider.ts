/**
 * The development OpenID provider in its own process, for the sign-in benchmark: the provider's work then runs
 * beside the app and the driver instead of sharing the driver's one JavaScript thread. Clients come as JSON in
 * BENCH_CLIENTS; prints "READY <issuer>" when listening.
 */
import '../../dev-provider/url-parse-polyfill.js';
import type { ClientMetadata } from 'oidc-provider';
import { startDevProvider } from '../../dev-provider/index.js';

const clients = JSON.parse(process.env.BENCH_CLIENTS ?? '[]') as ClientMetadata[];
const op = await startDevProvider({
  clients,
  // Like Google: the id_token carries the email and profile claims, so every library gets the same user data from
  // the same provider work (by default oidc-provider keeps them for UserInfo, which only some libraries call).
  configuration: { conformIdTokenClaims: false },
});
// The harness reads the provider's CPU time before and after each round, as it does the contenders'.
op.intercept = (req, res) => {
  if (req.url !== '/__bench/usage') return false;
  const cpu = process.cpuUsage();
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ cpuMicros: cpu.user + cpu.system }));
  return true;
};
process.stdout.write(`READY ${op.issuer}\n`);
process.on('SIGINT', () => process.exit(0));
