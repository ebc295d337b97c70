import { appealTypeNames, appealTypes } from '#domain/order-input.ts';
import type { Category, ReferenceData } from '#domain/reference-data.ts';

/**
 * The city's taxonomy as Open311 GeoReport v2 services (GET services, GET services/{service_code}).
 *
 * - A service is a leaf of the category taxonomy (the finest code a dispatcher routes on); its `group`
 *   is the top category's name, its `keywords` the middle one's, its description the whole path.
 * - Every service is `realtime` (the order is saved before the answer, so the answer carries its id)
 *   and has `metadata: true`: our intake needs the kind of appeal (咨询 … 表扬), which no standard
 *   field carries, and takes the district and the rest of our intake fields as attributes.
 * - Attribute codes are lower-case words, the same for every service, so a client that files one
 *   service can file all of them.
 */
export interface Open311Service {
  readonly service_code: string;
  readonly service_name: string;
  readonly description: string;
  readonly metadata: true;
  readonly type: 'realtime';
  readonly keywords: string;
  readonly group: string;
}

export type AttributeDatatype =
  | 'string'
  | 'number'
  | 'datetime'
  | 'text'
  | 'singlevaluelist'
  | 'multivaluelist';

export interface Open311Attribute {
  readonly variable: true;
  readonly code: string;
  readonly datatype: AttributeDatatype;
  readonly required: boolean;
  readonly datatype_description: string | null;
  readonly order: number;
  readonly description: string;
  readonly values?: readonly { readonly key: string; readonly name: string }[];
}

export interface Open311ServiceDefinition {
  readonly service_code: string;
  readonly attributes: readonly Open311Attribute[];
}

/** The attribute codes our intake reads (open311-intake.ts), in the order a form shows them. */
export const attributeCodes = {
  appealType: 'appeal_type',
  district: 'district',
  street: 'street',
  requesterKind: 'requester_kind',
  creditCode: 'credit_code',
  declinesCallback: 'declines_callback',
} as const;

const isLeaf = (ref: ReferenceData, category: Category): boolean =>
  !ref.categories.some((c) => c.parentCode === category.code);

/** The services: every leaf category, in the taxonomy's order. */
export const open311Services = (ref: ReferenceData): Open311Service[] =>
  ref.categories
    .filter((c) => isLeaf(ref, c))
    .map((category) => {
      const path = ref.categoryPath(category.code).map((code) => ref.category(code)?.name ?? code);
      return {
        service_code: category.code,
        service_name: category.name,
        description: path.join(' › '),
        metadata: true,
        type: 'realtime',
        keywords: path.slice(0, -1).join(', '),
        group: path[0] ?? category.name,
      };
    });

/** The service a code names, or undefined (a 404): only leaves are services. */
export const open311Service = (ref: ReferenceData, code: string): Open311Service | undefined =>
  open311Services(ref).find((s) => s.service_code === code);

/** The attributes of a service: the same for every service (the intake fields beyond the standard ones). */
export const open311ServiceDefinition = (
  ref: ReferenceData,
  serviceCode: string,
): Open311ServiceDefinition => ({
  service_code: serviceCode,
  attributes: [
    {
      variable: true,
      code: attributeCodes.appealType,
      datatype: 'singlevaluelist',
      required: true,
      datatype_description: null,
      order: 1,
      description:
        '诉求类型 (kind of appeal); a 举报 (report of wrongdoing) keeps the reporter unknown to the unit reported on',
      values: appealTypes.map((key) => ({ key, name: appealTypeNames[key] })),
    },
    {
      variable: true,
      code: attributeCodes.district,
      datatype: 'singlevaluelist',
      required: false,
      datatype_description: 'Needed unless lat and long lie inside one of the districts',
      order: 2,
      description: '所在区 (district)',
      values: ref.areas.filter((a) => a.level === 'district').map((a) => ({ key: a.code, name: a.name })),
    },
    {
      variable: true,
      code: attributeCodes.street,
      datatype: 'string',
      required: false,
      datatype_description: 'A 9-digit street or township code of that district (GET /areas lists them)',
      order: 3,
      description: '街道/乡镇 (street or township)',
    },
    {
      variable: true,
      code: attributeCodes.requesterKind,
      datatype: 'singlevaluelist',
      required: false,
      datatype_description: 'person unless given',
      order: 4,
      description: '诉求人类型 (a person or an enterprise)',
      values: [
        { key: 'person', name: '个人' },
        { key: 'enterprise', name: '企业' },
      ],
    },
    {
      variable: true,
      code: attributeCodes.creditCode,
      datatype: 'string',
      required: false,
      datatype_description: 'The 18-character unified social credit code of an enterprise',
      order: 5,
      description: '统一社会信用代码 (enterprise requesters)',
    },
    {
      variable: true,
      code: attributeCodes.declinesCallback,
      datatype: 'singlevaluelist',
      required: false,
      datatype_description: 'false unless given',
      order: 6,
      description: '不需要回访 (the requester declines to be called back)',
      values: [
        { key: 'false', name: '需要回访' },
        { key: 'true', name: '不需要回访' },
      ],
    },
  ],
});
