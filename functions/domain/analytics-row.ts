/**
 * The analytics row: one row per work order and version, the one schema of the analytics store.
 *
 * Every writer produces exactly these columns — the live path (an order's milestones: received,
 * closed, reopened, call-back ended, excluded from assessment), the generator of years of history —
 * and every reader (the SQL files in analytics/sql/, on DuckDB locally and on Athena in AWS; the Glue
 * table that Firehose converts to Parquet with) reads them. Queries take each order's latest version,
 * so a row delivered twice changes nothing.
 *
 * Rules that keep one SQL text valid on DuckDB and on Athena engine v3 (Trino):
 * - Calendar fields are precomputed in China Standard Time (`*_date`, `*_month`, `received_hour`,
 *   `received_weekday`): no query needs time-zone arithmetic (Athena sessions run in UTC).
 * - Instants are `timestamp` (UTC, microseconds in Parquet); durations are precomputed in hours.
 * - No arrays or maps: flags are booleans, so no list function (whose names differ) is ever needed.
 * - H3 cells are hex strings (Trino has no unsigned 64-bit integers).
 * - No personal data in clear (Art. 8, PIPL): the requester and the address only as keyed hashes
 *   (HMAC-SHA-256 with a secret of the deployment), enough to see repeats, never to find a person.
 */

/** The types we use, with their names in DuckDB and in the Glue catalogue (Hive DDL). */
export const analyticsTypes = {
  string: { duckdb: 'VARCHAR', glue: 'string' },
  int: { duckdb: 'INTEGER', glue: 'int' },
  double: { duckdb: 'DOUBLE', glue: 'double' },
  boolean: { duckdb: 'BOOLEAN', glue: 'boolean' },
  timestamp: { duckdb: 'TIMESTAMP', glue: 'timestamp' },
  date: { duckdb: 'DATE', glue: 'date' },
} as const;
export type AnalyticsType = keyof typeof analyticsTypes;

export interface AnalyticsColumn {
  readonly name: string;
  readonly type: AnalyticsType;
  /** May be null (absent in the source); the others never are. */
  readonly nullable: boolean;
  readonly comment: string;
}

const column = (name: string, type: AnalyticsType, nullable: boolean, comment: string): AnalyticsColumn => ({
  name,
  type,
  nullable,
  comment,
});

/**
 * The columns, in file order. The partition column `month` (CST month of receipt, `YYYY-MM`) is not
 * among them: it is the folder (`month=2026-01/`), as Hive partitioning, Firehose's dynamic
 * partitioning and the Glue table's partition projection all expect.
 */
export const analyticsColumns: readonly AnalyticsColumn[] = [
  // identity and version
  column('order_id', 'string', false, 'work order id (WO + ULID)'),
  column('version', 'int', false, "the order's version this row shows; the latest row of an order wins"),
  column('updated_at', 'timestamp', false, 'when this version was saved (UTC)'),
  column('source', 'string', false, "'live' (the running system) or 'generated' (synthetic history)"),
  // intake (接诉)
  column('received_at', 'timestamp', false, 'when the contact was recorded (UTC)'),
  column('received_date', 'date', false, 'CST calendar day of receipt'),
  column('received_month', 'string', false, 'CST month of receipt, YYYY-MM (equals the partition)'),
  column('received_hour', 'int', false, 'CST hour of receipt, 0-23'),
  column('received_weekday', 'int', false, 'CST day of week of receipt, 0 = Sunday … 6 = Saturday'),
  column('appeal_type', 'string', false, 'consultation | help | complaint | report | suggestion | praise'),
  column(
    'channel',
    'string',
    false,
    'phone | web | app | mini_program | open311 | email | letter | in_person',
  ),
  column('urgency', 'string', false, 'emergency | urgent | normal'),
  column('requester_kind', 'string', false, 'person | enterprise'),
  column('anonymous', 'boolean', false, 'the requester stayed anonymous'),
  column(
    'requester_hash',
    'string',
    true,
    'keyed hash of the requester (phone, else credit code, else name); null when anonymous',
  ),
  // what and where
  column('category_code', 'string', false, 'the category as recorded (2, 4 or 6 digits)'),
  column('category_l1', 'string', false, 'level-1 category of category_code'),
  column('category_l2', 'string', true, 'level-2 category, null when recorded at level 1'),
  column('category_l3', 'string', true, 'level-3 category, null when recorded above level 3'),
  column('district_code', 'string', false, '6-digit district (区) code'),
  column('street_code', 'string', true, '9-digit street/township (街道/乡镇) code'),
  column('address_hash', 'string', true, 'keyed hash of the normalised address, null without an address'),
  column('lat', 'double', true, 'latitude (WGS 84)'),
  column('lng', 'double', true, 'longitude (WGS 84)'),
  column('h3_r9', 'string', true, 'H3 cell at resolution 9 (edge ~174 m), hex'),
  column('h3_r7', 'string', true, 'H3 cell at resolution 7 (edge ~1.2 km), hex'),
  column('disposition', 'string', true, 'Art. 11 disposition kind, null when dispatched'),
  column('repeat_of', 'string', true, 'the original order of a repeat disposition'),
  // handling
  column('status', 'string', false, "the order's status at this version"),
  column('unit_id', 'string', true, 'lead unit (承办单位)'),
  column('unit_class', 'string', true, 'district | street | department | enterprise'),
  column('dispatched_at', 'timestamp', true, 'when the lead unit got it'),
  column('contact_by', 'timestamp', true, 'deadline to contact the requester'),
  column('resolve_by', 'timestamp', true, 'deadline to resolve and reply'),
  column('contacted_at', 'timestamp', true, 'when the unit first contacted the requester'),
  column('replied_at', 'timestamp', true, "when the unit's latest reply came"),
  column('reply_result', 'string', true, 'resolved | partly_resolved | unresolved | explained'),
  column('closed_at', 'timestamp', true, 'when the order (last) closed; null while open'),
  column('closed_date', 'date', true, 'CST day of closed_at'),
  column('closed_month', 'string', true, 'CST month of closed_at, YYYY-MM'),
  column('outcome', 'string', true, 'handled | expired | disposed; null while open'),
  column('hours_to_close', 'double', true, 'closed_at − received_at in hours'),
  column('dispatch_overdue', 'boolean', false, 'flag: not dispatched the same day'),
  column('contact_overdue', 'boolean', false, 'flag: requester not contacted within the limit'),
  column('overdue', 'boolean', false, 'flag: not resolved within the limit'),
  column('urged', 'boolean', false, 'flag: 催办'),
  column('supervised', 'boolean', false, 'flag: 督办'),
  column('notified', 'boolean', false, 'flag: 通报'),
  column('round', 'int', false, 'handling round: 1, +1 per reopening'),
  column('reopenings', 'int', false, 'times an unhappy call-back reopened the order'),
  // call-back (回访) of the latest round that ended
  column(
    'callback_state',
    'string',
    true,
    "latest round's call-back: due | scheduled | open | answered | unreachable",
  ),
  column('answer_solved', 'string', true, 'latest call-back answer: solved | partly | not'),
  column('answer_satisfied', 'string', true, 'latest call-back answer: satisfied | basically | not'),
  column('answered_at', 'timestamp', true, 'when that answer came'),
  column('unreachable', 'boolean', false, 'the latest ended call-back found nobody after every attempt'),
  // assessment (考核): what the order counts for, as the live aggregates count it
  column('assessed', 'boolean', false, 'counts in its unit’s rates: closed handled or expired, with a unit'),
  column('assessed_month', 'string', true, 'CST month it counts in: the month it last closed'),
  column(
    'contacted_in_time',
    'boolean',
    true,
    "the requester's word in the first call-back, else the unit's record",
  ),
  column('excluded', 'boolean', false, 'taken out of assessment by the centre'),
  column('exclusion_reason', 'string', true, 'unreasonable_demand | unreachable | duplicate | malicious'),
];

/** A row as TypeScript sees it (timestamps and dates as ISO strings: `2026-01-31T16:00:00.000Z`, `2026-02-01`). */
export type AnalyticsRow = Readonly<Record<string, string | number | boolean | null>>;

/** The partition column, as a folder name: `month=YYYY-MM`. */
export const analyticsPartition = { name: 'month', format: 'YYYY-MM' } as const;

/** The table's name in every engine: a DuckDB view locally, the Glue table in AWS. */
export const analyticsTable = 'orders';

/** `CREATE TABLE` columns for DuckDB, in file order. */
export const duckdbColumnsDdl = (): string =>
  analyticsColumns.map((c) => `${c.name} ${analyticsTypes[c.type].duckdb}`).join(', ');
