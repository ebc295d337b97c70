import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStepFunctions } from '../../../local/stepfunctions/service.ts';
import { bundleWorker, machineArn, T0 } from './stepfunctions-harness.ts';

/**
 * StartExecution answered means the execution exists, as on AWS: the local service writes it to its data
 * folder before answering, so a stack killed right after the intake answered 201 finds it at restart.
 */
let worker: { workerFile: string; cleanup: () => void };
const dirs: string[] = [];

beforeAll(async () => {
  worker = await bundleWorker();
}, 60_000);

afterAll(() => {
  worker?.cleanup();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const waiting = { StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 3600, End: true } } };

const serviceOn = (dataDir: string) =>
  LocalStepFunctions.start({
    workerFile: worker.workerFile,
    stateMachines: [{ arn: machineArn('m'), name: 'm', definition: JSON.stringify(waiting) }],
    dataDir,
    now: () => T0,
    onTime: () => undefined,
    call: async () => ({}),
  });

describe('the local Step Functions data folder', () => {
  it('holds a started execution as soon as StartExecution answers, before any flush delay', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'hotline-sfn-durable-'));
    dirs.push(dataDir);
    const service = await serviceOn(dataDir);

    // Act: look in the same tick as the answer, as a crash right after it would leave the folder
    service.startExecution({ stateMachineArn: machineArn('m'), name: 'WO1', input: '{"orderId":"WO1"}' });
    const file = join(dataDir, 'executions', 'WO1.json');
    const onDisk = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as { status: string })
      : undefined;

    // Assess: there, whole, and known to a service started again on the folder
    expect(onDisk?.status).toBe('RUNNING');
    expect(readdirSync(join(dataDir, 'executions'))).toEqual(['WO1.json']);
    const restarted = await serviceOn(dataDir);
    expect(
      restarted.describeExecution(`${machineArn('m').replace(':stateMachine:', ':execution:')}:WO1`),
    ).toMatchObject({
      status: 'RUNNING',
    });
    await restarted.close();
    await service.close();
  }, 60_000);
});
