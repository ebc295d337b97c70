import type * as z from 'zod';
import { type DistrictShape, districtOfPoint } from '#domain/district-of-point.ts';
import { attributeCodes, open311Service } from '#domain/open311-services.ts';
import { type NewOrderInput, newOrderSchema } from '#domain/order-input.ts';
import type { ReferenceData } from '#domain/reference-data.ts';

/**
 * POST requests (GeoReport v2): the form an Open311 client sends, turned into our intake's input, or
 * every problem found, as the spec's error list. The order then goes through the same intake as a
 * call to POST /orders (channel `open311`), so no check is skipped.
 *
 * - Location: `lat` and `long` together, or `address_string`; the district comes from
 *   `attribute[district]`, else from the point (district-of-point.ts). `address_id` names a record of
 *   a master address repository, which this city has none of: alone it is refused (400).
 * - The requester: `first_name`/`last_name` (joined family name first when written in Chinese),
 *   `phone`, `email`; none of them is an anonymous requester. `account_id` and `device_id` are not
 *   kept: an identifier of someone's account or phone is personal data we need not hold (PIPL's
 *   minimum-necessary rule).
 * - `media_url`: an http(s) URL, kept with the order and published with it.
 * - Unknown `attribute[...]` codes are refused rather than dropped, so a client's typo is seen.
 * Status codes as the spec says: 404 for an unknown service_code or jurisdiction_id, 400 otherwise.
 */
export interface Open311Problem {
  readonly status: 400 | 404;
  readonly code: string;
  readonly description: string;
}

export type Open311Intake =
  | { readonly ok: true; readonly input: NewOrderInput }
  | { readonly ok: false; readonly problems: readonly Open311Problem[] };

export interface IntakeContext {
  readonly referenceData: ReferenceData;
  readonly districts: readonly DistrictShape[];
  readonly jurisdictionId: string;
}

/** One value of a field: the last one sent (a form may repeat a field); empty counts as absent (the spec). */
const fieldOf = (form: URLSearchParams, name: string): string | undefined => {
  const value = form.getAll(name).at(-1)?.trim();
  return value === undefined || value === '' ? undefined : value;
};

/** `attribute[code]` and `attribute[code][]` values, by code. */
const attributesOf = (form: URLSearchParams): Map<string, string[]> => {
  const attributes = new Map<string, string[]>();
  for (const [name, value] of form) {
    const match = /^attribute\[([^\]]+)\](\[\])?$/.exec(name);
    if (!match?.[1] || value.trim() === '') continue;
    attributes.set(match[1], [...(attributes.get(match[1]) ?? []), value.trim()]);
  }
  return attributes;
};

const known = new Set<string>(Object.values(attributeCodes));
const hasCjk = (s: string) => /\p{Script=Han}/u.test(s);
const bad = (code: string, description: string): Open311Problem => ({ status: 400, code, description });

const nameOf = (first?: string, last?: string): string | undefined => {
  if (!first || !last) return first ?? last;
  return hasCjk(first) || hasCjk(last) ? `${last}${first}` : `${first} ${last}`;
};

const coordinate = (raw: string | undefined): number | undefined =>
  raw === undefined || !/^[-+]?\d+(\.\d+)?$/.test(raw) ? undefined : Number(raw);

export const open311Intake = (form: URLSearchParams, ctx: IntakeContext): Open311Intake => {
  const problems: Open311Problem[] = [];
  const jurisdiction = fieldOf(form, 'jurisdiction_id');
  if (jurisdiction !== undefined && jurisdiction !== ctx.jurisdictionId) {
    problems.push({
      status: 404,
      code: 'JURISDICTION_NOT_FOUND',
      description: `No jurisdiction ${jurisdiction}.`,
    });
  }
  const serviceCode = fieldOf(form, 'service_code');
  if (serviceCode === undefined)
    problems.push(bad('SERVICE_CODE_REQUIRED', 'service_code was not provided.'));
  else if (!open311Service(ctx.referenceData, serviceCode)) {
    problems.push({ status: 404, code: 'SERVICE_CODE_NOT_FOUND', description: `No service ${serviceCode}.` });
  }

  const attributes = attributesOf(form);
  for (const code of attributes.keys()) {
    if (!known.has(code))
      problems.push(bad('UNKNOWN_ATTRIBUTE', `No attribute ${code} (see the service definition).`));
  }
  const attribute = (code: string) => attributes.get(code)?.at(-1);

  const [latRaw, longRaw] = [fieldOf(form, 'lat'), fieldOf(form, 'long')];
  const [lat, long] = [coordinate(latRaw), coordinate(longRaw)];
  const address = fieldOf(form, 'address_string');
  if ((latRaw === undefined) !== (longRaw === undefined)) {
    problems.push(bad('LAT_LONG_TOGETHER', 'lat and long must be sent together.'));
  } else if (latRaw !== undefined && (lat === undefined || long === undefined)) {
    problems.push(bad('INVALID_LAT_LONG', 'lat and long must be decimal degrees (WGS 84).'));
  }
  const point = lat !== undefined && long !== undefined ? { lat, long } : undefined;
  // A lat/long already refused above is the problem to fix; no second one about the location.
  if (!point && address === undefined && latRaw === undefined && longRaw === undefined) {
    problems.push(
      fieldOf(form, 'address_id') !== undefined
        ? bad(
            'ADDRESS_ID_NOT_SUPPORTED',
            'This city has no master address repository: send lat/long or address_string.',
          )
        : bad('LOCATION_REQUIRED', 'Send lat and long, or address_string.'),
    );
  }
  const districtCode =
    attribute(attributeCodes.district) ?? (point && districtOfPoint(ctx.districts, point)?.properties.code);
  if (districtCode === undefined && (point || address !== undefined)) {
    problems.push(
      bad(
        'DISTRICT_REQUIRED',
        point
          ? 'lat/long lie in no district of the city: send attribute[district].'
          : 'With an address_string, send attribute[district] (see the service definition).',
      ),
    );
  }

  const appealType = attribute(attributeCodes.appealType);
  if (appealType === undefined)
    problems.push(bad('APPEAL_TYPE_REQUIRED', 'attribute[appeal_type] is required.'));
  if (fieldOf(form, 'description') === undefined) {
    problems.push(bad('DESCRIPTION_REQUIRED', 'description was not provided: say what the matter is.'));
  }
  if (problems.length > 0) return { ok: false, problems };

  const name = nameOf(fieldOf(form, 'first_name'), fieldOf(form, 'last_name'));
  const [phone, email] = [fieldOf(form, 'phone'), fieldOf(form, 'email')];
  const creditCode = attribute(attributeCodes.creditCode);
  const mediaUrl = fieldOf(form, 'media_url');
  const candidate = {
    appealType,
    categoryCode: serviceCode,
    description: fieldOf(form, 'description'),
    channel: 'open311',
    urgency: 'normal',
    requester: {
      kind: attribute(attributeCodes.requesterKind) ?? 'person',
      ...(name ? { name } : {}),
      ...(phone ? { phone } : {}),
      ...(email ? { email } : {}),
      ...(creditCode ? { creditCode } : {}),
      anonymous: !name && !phone && !email && !creditCode,
      declinesCallback: attribute(attributeCodes.declinesCallback) === 'true',
    },
    location: {
      districtCode,
      ...(attribute(attributeCodes.street) ? { streetCode: attribute(attributeCodes.street) } : {}),
      ...(address ? { address } : {}),
      ...(point ? { lat: point.lat, long: point.long } : {}),
    },
    ...(mediaUrl ? { mediaUrl } : {}),
  };
  const parsed = newOrderSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, input: parsed.data };
  return { ok: false, problems: parsed.error.issues.map(problemOf) };
};

/** Our schema's field names back in the form's words, so the client knows which field to fix. */
const formNames: Record<string, string> = {
  appealType: 'attribute[appeal_type]',
  categoryCode: 'service_code',
  description: 'description',
  'requester.kind': 'attribute[requester_kind]',
  'requester.name': 'first_name/last_name',
  'requester.phone': 'phone',
  'requester.email': 'email',
  'requester.creditCode': 'attribute[credit_code]',
  'location.districtCode': 'attribute[district]',
  'location.streetCode': 'attribute[street]',
  'location.address': 'address_string',
  'location.lat': 'lat',
  'location.long': 'long',
  mediaUrl: 'media_url',
};

const problemOf = (issue: z.core.$ZodIssue): Open311Problem => {
  const path = issue.path.map(String).join('.');
  return bad('INVALID_FIELD', `${formNames[path] ?? path}: ${issue.message}`);
};
