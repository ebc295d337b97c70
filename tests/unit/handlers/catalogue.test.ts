import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiEvent, bodyOf, lambdaContext, mockedAws, transactItems } from './support.ts';

const context = lambdaContext('catalogue');
const { ddb } = mockedAws(Date.parse('2026-12-07T02:00:00Z'));

let handler: typeof import('../../../functions/api/catalogue.ts')['handler'];

beforeAll(async () => {
  ({ handler } = await import('../../../functions/api/catalogue.ts'));
});

const dispatcher = { sub: 'dispatcher-1', role: 'dispatcher' };
const line = { categoryCode: '0106', areaCode: '110101001', leadUnitId: 'dept-cgw', coUnitIds: [] };

const putEvent = (body: unknown, claims: Record<string, string> = dispatcher, scopes?: string[]) =>
  apiEvent({ routeKey: 'PUT /catalogue/lines', body, claims, ...(scopes ? { scopes } : {}) });
const deleteEvent = () =>
  apiEvent({
    routeKey: 'DELETE /catalogue/lines/{categoryCode}/{areaCode}',
    pathParameters: { categoryCode: line.categoryCode, areaCode: line.areaCode },
    claims: dispatcher,
  });

const lostRace = () =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }],
  });

/** The catalogue as the table holds it, one state per read: its version and the edits of the line. */
const serveCatalogue = (
  states: readonly { version: number; edits: readonly Record<string, unknown>[] }[],
) => {
  let read = 0;
  ddb.on(GetCommand).callsFake(() => {
    const state = states[Math.min(read, states.length - 1)];
    read++;
    return Promise.resolve({ Item: { pk: 'CATALOGUE', sk: '#VERSION', version: state?.version } });
  });
  ddb.on(QueryCommand).callsFake(() => {
    const state = states[Math.min(read - 1, states.length - 1)];
    return Promise.resolve({ Items: (state?.edits ?? []).map((edit) => ({ edit })) });
  });
};

/** The version condition of the n-th transaction: the version its edit was decided on. */
const basedOn = (call: number) =>
  transactItems(ddb, call)[0]?.Put?.ExpressionAttributeValues?.[':previous'] as number | undefined;

describe('PUT /catalogue/lines (catalogue)', () => {
  it('returns 200 after losing a race, saved over the version it read again', async () => {
    // Prepare: another edit lands between the first read and the first write
    serveCatalogue([
      { version: 3, edits: [] },
      { version: 4, edits: [] },
    ]);
    ddb.on(TransactWriteCommand).rejectsOnce(lostRace()).resolves({});

    // Act
    const result = await handler(putEvent(line), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ ...line, catalogueVersion: 5 });
    expect([basedOn(0), basedOn(1)]).toEqual([3, 4]);
  });

  it('rejects an edit that loses every retry with 409 VERSION_CONFLICT, never a 500', async () => {
    // Prepare
    serveCatalogue([{ version: 7, edits: [] }]);
    ddb.on(TransactWriteCommand).rejects(lostRace());

    // Act
    const result = await handler(putEvent(line), context);

    // Assess
    expect(result.statusCode).toBe(409);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'VERSION_CONFLICT' } });
    expect(ddb.commandCalls(TransactWriteCommand).length).toBeGreaterThan(3);
  });

  it('rejects an edit with 409 rather than retry into the function timeout, and changes nothing', async () => {
    // Prepare: 2.6 s left, so 0.1 s for retries before the 2.5 s kept for answering
    serveCatalogue([{ version: 7, edits: [] }]);
    ddb.on(TransactWriteCommand).rejects(lostRace());
    const short = { ...context, getRemainingTimeInMillis: () => 2_600 };
    const started = Date.now();

    // Act
    const result = await handler(putEvent(line), short);

    // Assess
    expect(result.statusCode).toBe(409);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'VERSION_CONFLICT' } });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(ddb.commandCalls(TransactWriteCommand).length).toBeLessThan(16);
  });

  it('rejects a blank note with 400 and writes nothing', async () => {
    // Prepare
    serveCatalogue([{ version: 1, edits: [] }]);

    // Act
    const result = await handler(putEvent({ ...line, note: '\u200b\u3000' }), context);

    // Assess
    expect(result.statusCode).toBe(400);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('rejects a token whose scope says supervisor and whose role claim says unit with 403, reading nothing', async () => {
    // Act
    const result = await handler(
      putEvent(line, { sub: 'staff-1', role: 'unit', unit_id: 'st-110101001' }, ['hotline/supervisor']),
      context,
    );

    // Assess
    expect(result.statusCode).toBe(403);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'ROLE_NOT_ALLOWED' } });
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('DELETE /catalogue/lines/{categoryCode}/{areaCode} (catalogue)', () => {
  it('returns 404 when another edit removed the line while this one was deciding', async () => {
    // Prepare: the line is there at version 1; a removal lands as version 2 before this write
    serveCatalogue([
      { version: 1, edits: [line] },
      { version: 2, edits: [{ ...line, removed: true }] },
    ]);
    ddb.on(TransactWriteCommand).rejectsOnce(lostRace()).resolves({});

    // Act
    const result = await handler(deleteEvent(), context);

    // Assess: nothing removed twice, nothing logged twice
    expect(result.statusCode).toBe(404);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'CATALOGUE_LINE_NOT_FOUND' } });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('returns the line it removed: the one in force when it was saved, not an older one', async () => {
    // Prepare: a PUT changes the lead unit between this DELETE's first read and its write
    const changed = { ...line, leadUnitId: 'st-110101001' };
    serveCatalogue([
      { version: 1, edits: [line] },
      { version: 2, edits: [changed] },
    ]);
    ddb.on(TransactWriteCommand).rejectsOnce(lostRace()).resolves({});

    // Act
    const result = await handler(deleteEvent(), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ removed: changed, catalogueVersion: 3 });
    expect(transactItems(ddb, 1)[1]?.Put?.Item).toMatchObject({ edit: { ...changed, removed: true } });
  });
});
