import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDynamo, startDynamoDbLocal } from '../../../local/dynamodb-local.ts';
import { javaHasSourceLauncher } from '../../../local/dynamodb-loopback.ts';

/** DynamoDB Local holds every order of the local stack: nobody else on the network may reach it. */

/** An address of this machine that is not 127.0.0.1: its LAN address, else (Linux) 127.0.0.2. */
const otherAddress = (): string | undefined =>
  Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address ??
  (process.platform === 'linux' ? '127.0.0.2' : undefined);

const reaches = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('DynamoDB Local of the local stack', () => {
  let dynamo: RunningDynamo;
  let port: number;

  beforeAll(async () => {
    dynamo = await startDynamoDbLocal({});
    port = Number(new URL(dynamo.endpoint).port);
  }, 120_000);

  afterAll(async () => {
    await dynamo?.stop();
  });

  it('answers on the loopback address', async () => {
    // Act / Assess
    expect(await reaches('127.0.0.1', port)).toBe(true);
  });

  it.skipIf(otherAddress() === undefined)(
    'refuses connections to any other address of the machine',
    async () => {
      // Act / Assess
      expect(await reaches(otherAddress() as string, port)).toBe(false);
    },
  );
});

describe('javaHasSourceLauncher', () => {
  it('returns true for a runtime whose release lists jdk.compiler', () => {
    // Prepare
    const release = 'JAVA_VERSION="17.0.15"\nMODULES="java.base java.compiler jdk.compiler jdk.zipfs"\n';

    // Act / Assess
    expect(javaHasSourceLauncher(release)).toBe(true);
  });

  it('returns false for a trimmed runtime without jdk.compiler', () => {
    // Prepare
    const release = 'JAVA_VERSION="17.0.15"\nMODULES="java.base java.compiler java.logging jdk.zipfs"\n';

    // Act / Assess
    expect(javaHasSourceLauncher(release)).toBe(false);
  });

  it('returns true when the runtime cannot be inspected (the launcher is tried and fails loudly)', () => {
    // Act / Assess
    expect(javaHasSourceLauncher(undefined)).toBe(true);
    expect(javaHasSourceLauncher('JAVA_VERSION="21"\n')).toBe(true);
  });
});
