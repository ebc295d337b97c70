import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Role, roles } from '#wiring/wiring.ts';
import units from '../data/units.json' with { type: 'json' };
import { loadOrCreateKeys, signLocalToken } from './local-auth.ts';
import { defaultLocalDir } from './paths.ts';

/**
 * `npm run token -- --role unit --unit st-110101001`: prints a token the local stack accepts (the same
 * claims Cognito issues in the cloud). `npm run -s token -- …` prints only the token, for $(…).
 */
const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    unit: { type: 'string' },
    sub: { type: 'string' },
    ttl: { type: 'string', default: String(12 * 60 * 60) },
    'local-dir': { type: 'string' },
  },
  strict: true,
});

const fail = (message: string): never => {
  console.error(message);
  process.exit(2);
};

const role = values.role as Role | undefined;
if (!role || !roles.includes(role)) fail(`--role is one of: ${roles.join(', ')}`);
if (role === 'unit' && !values.unit) fail('--unit <unit id> is required with --role unit (see GET /units)');
if (values.unit && !units.items.some((u) => u.id === values.unit))
  fail(`No unit ${values.unit} in data/units.json`);
const ttlSeconds = Number(values.ttl);
if (!Number.isInteger(ttlSeconds) || ttlSeconds < 60) fail('--ttl is a number of seconds, at least 60');

const keys = await loadOrCreateKeys(join(values['local-dir'] ?? defaultLocalDir, 'keys'));
console.log(
  await signLocalToken(keys, {
    role: role as Role,
    ...(values.unit ? { unitId: values.unit } : {}),
    ...(values.sub ? { sub: values.sub } : {}),
    ttlSeconds,
  }),
);
