import { receiveContact } from '#application/receive-contact.ts';
import districtShapes from '#data/geo/beijing-districts.geo.json' with { type: 'json' };
import open311Config from '#data/open311.json' with { type: 'json' };
import type { DistrictShape } from '#domain/district-of-point.ts';
import { isHotlineError } from '#domain/errors.ts';
import { type Open311Request, open311Request, w3cChinaTime } from '#domain/open311.ts';
import { type Open311Problem, open311Intake } from '#domain/open311-intake.ts';
import { OPEN311_MAX_REQUESTS, type Open311Query, open311Query } from '#domain/open311-query.ts';
import { open311Service, open311ServiceDefinition, open311Services } from '#domain/open311-services.ts';
import type { WorkOrder } from '#domain/work-order.ts';
import { clock } from '#shared/platform/clock.ts';
import { isIdempotencyKey } from '#shared/platform/http.ts';
import { claimFor, recordedResult } from '#shared/platform/idempotency.ts';
import { referenceData } from '#shared/platform/reference.ts';
import type { ApiKeyRecord } from '#shared/stores/api-key-store.ts';
import { listOrders, readOrdersById } from '#shared/stores/order-store.ts';

/**
 * The Open311 GeoReport v2 use cases behind functions/api/open311.ts: plain results, or an
 * `Open311Failure` carrying the spec's error list and status. See docs/open311.md.
 */
export const open311Settings = open311Config;
const districts = districtShapes.features as readonly DistrictShape[];

export class Open311Failure extends Error {
  override readonly name = 'Open311Failure';
  constructor(
    readonly statusCode: number,
    readonly problems: readonly Omit<Open311Problem, 'status'>[],
    readonly headers: Record<string, string> = {},
  ) {
    super(problems.map((p) => `${p.code}: ${p.description}`).join('; '));
  }
}

/** 404 when any problem is a missing resource (the spec's rule), else 400. */
const failure = (problems: readonly Open311Problem[]): Open311Failure =>
  new Open311Failure(
    problems.some((p) => p.status === 404) ? 404 : 400,
    problems.map(({ code, description }) => ({ code, description })),
  );

export const checkJurisdiction = (jurisdictionId: string | undefined): void => {
  if (
    jurisdictionId !== undefined &&
    jurisdictionId !== '' &&
    jurisdictionId !== open311Config.jurisdictionId
  ) {
    throw failure([
      { status: 404, code: 'JURISDICTION_NOT_FOUND', description: `No jurisdiction ${jurisdictionId}.` },
    ]);
  }
};

export const discovery = (endpointUrl: string) => ({
  changeset: open311Config.changeset,
  contact: open311Config.contact,
  key_service: open311Config.keyService,
  endpoints: [
    {
      specification: 'http://wiki.open311.org/GeoReport_v2',
      url: endpointUrl,
      changeset: open311Config.changeset,
      type: 'production',
      formats: ['text/xml', 'application/json'],
    },
  ],
});

export const services = () => open311Services(referenceData);

export const serviceDefinition = (code: string) => {
  if (!open311Service(referenceData, code)) {
    throw failure([{ status: 404, code: 'SERVICE_CODE_NOT_FOUND', description: `No service ${code}.` }]);
  }
  return open311ServiceDefinition(referenceData, code);
};

const names = {
  unit: (id: string) => referenceData.unit(id)?.name,
  category: (code: string) => referenceData.category(code)?.name,
};
const published = (order: WorkOrder): Open311Request => open311Request(order, names);

/** The caller of an app's key, as the orders it files and its idempotency claims name it. */
export const open311Caller = (key: ApiKeyRecord) => `open311:${key.keyId}`;

/**
 * POST requests: the form becomes a work order, channel open311, the app's name on it. With an
 * Idempotency-Key header a retry gets the first answer; the key is also the request's `token`.
 */
export const fileRequest = async (
  form: URLSearchParams,
  key: ApiKeyRecord,
  idempotencyKey: string | undefined,
) => {
  const intake = open311Intake(form, {
    referenceData,
    districts,
    jurisdictionId: open311Config.jurisdictionId,
  });
  if (!intake.ok) throw failure(intake.problems);
  if (idempotencyKey !== undefined && !isIdempotencyKey(idempotencyKey)) {
    throw failure([
      {
        status: 400,
        code: 'INVALID_IDEMPOTENCY_KEY',
        description: 'Idempotency-Key must be 1 to 128 characters of letters, digits and . _ : -',
      },
    ]);
  }
  const caller = open311Caller(key);
  const claim = idempotencyKey
    ? claimFor({ caller, place: {}, key: idempotencyKey, request: intake.input, nowMs: clock.now() })
    : undefined;
  try {
    const { stored, replayed } = await receiveContact({
      input: intake.input,
      actor: { kind: 'person', sub: caller, role: 'open311' },
      claim,
      app: key.app,
    });
    const { order } = stored;
    return {
      replayed,
      answer: [
        {
          service_request_id: order.id,
          service_notice: `已受理，市级平台将于 ${w3cChinaTime(order.deadlines.dispatchBy)} 前派单`,
          account_id: null,
        },
      ],
    };
  } catch (error) {
    // The intake's own refusals (a street not in the district, a reused key) in Open311's words.
    if (isHotlineError(error) && error.kind !== 'conflict') {
      const details = Array.isArray(error.details)
        ? (error.details as { code: string; message: string }[])
        : [];
      throw failure(
        details.length > 0
          ? details.map((d) => ({ status: 400, code: d.code, description: d.message }))
          : [{ status: 400, code: error.code, description: error.message }],
      );
    }
    throw error;
  }
};

/** GET tokens/{token}: the request an app filed with that Idempotency-Key (for a day, as the key lives). */
export const requestOfToken = async (token: string, key: ApiKeyRecord) => {
  const notFound = failure([
    { status: 404, code: 'TOKEN_NOT_FOUND', description: `No request with token ${token}.` },
  ]);
  if (!isIdempotencyKey(token)) throw notFound;
  const claim = claimFor({
    caller: open311Caller(key),
    place: {},
    key: token,
    request: null,
    nowMs: clock.now(),
  });
  const result = await recordedResult(claim);
  if (typeof result?.orderId !== 'string') throw notFound;
  return [{ service_request_id: result.orderId, token }];
};

export const oneRequest = async (id: string): Promise<Open311Request[]> => {
  const [order] = await readOrdersById([id]);
  if (!order)
    throw failure([{ status: 404, code: 'REQUEST_NOT_FOUND', description: `No service request ${id}.` }]);
  return [published(order)];
};

/** GET requests: newest first, at most 1000 (the spec's default volume). */
export const listRequests = async (params: Readonly<Record<string, string | undefined>>) => {
  const parsed = open311Query(params, clock.now());
  if (!parsed.ok) throw failure(parsed.problems);
  if (parsed.query.kind === 'ids') return (await readOrdersById(parsed.query.ids)).map(published);
  return (await readOrdersById(await idsInRange(parsed.query))).map(published);
};

const openOrClosed = (status: WorkOrder['status']) => (status === 'closed' ? 'closed' : 'open');

/**
 * The most order summaries one GET requests looks at: the day index holds every order (70 000 a day in
 * Beijing), and a rare service over 90 days would otherwise read millions of them for one public call.
 * Past it, the answer is what matched among the newest this many (docs/open311.md).
 */
export const OPEN311_MAX_EXAMINED = 10_000;

export const idsInRange = async (query: Extract<Open311Query, { kind: 'range' }>): Promise<string[]> => {
  const ids: string[] = [];
  let examined = 0;
  let cursor: string | undefined;
  do {
    const page = await listOrders({
      from: new Date(query.fromMs).toISOString(),
      to: new Date(query.toMs).toISOString(),
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    for (const summary of page.items) {
      examined += 1;
      if (query.serviceCodes && !query.serviceCodes.has(summary.categoryCode)) continue;
      if (query.statuses && !query.statuses.has(openOrClosed(summary.status))) continue;
      ids.push(summary.id);
      if (ids.length === OPEN311_MAX_REQUESTS) return ids;
    }
    cursor = page.cursor;
  } while (cursor && examined < OPEN311_MAX_EXAMINED);
  return ids;
};
