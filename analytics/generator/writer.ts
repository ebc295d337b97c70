import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBDataChunk, DuckDBInstance } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import {
  analyticsColumns,
  analyticsPartition,
  analyticsTable,
  analyticsTypes,
} from '../../functions/domain/analytics-row.ts';
import { codeLists, FLAG, type MonthBatch } from './batch.ts';
import type { MonthPlan } from './calendar.ts';
import type { City } from './city.ts';
import { cstDayNumber } from './lifecycle.ts';
import { orderIdOf } from './order-id.ts';

/**
 * A month of generated orders to Parquet (ZSTD) in the analytics row's exact schema, through a
 * DuckDB instance of its own with one thread, so the bytes depend on the rows alone.
 *
 * Speed is the point of the shape: the batch's numeric columns go into DuckDB vectors whole (one
 * memory copy per column and 2 048 rows), and every string column with a small vocabulary (codes,
 * categories, townships, units, H3 cells, address hashes, months) goes in as the integer index of a
 * DuckDB ENUM built from the month's own dictionary; only the order id, the requester's hash and the
 * original of a repeat are strings made per row. The one `COPY (SELECT …)` then casts every column to
 * the schema's type, in the schema's order, as a plain projection of the table in insertion order.
 */
export interface WrittenFile {
  /** Relative to the output root, with forward slashes. */
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
  readonly sha256: string;
}

type Numeric = Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

interface StagingColumn {
  readonly name: string;
  readonly ddl: string;
  /** Numeric data (copied whole), or a producer of one string (or NULL) per row. */
  readonly data: Numeric | ((row: number) => string | null);
  /** Code 0 means NULL (enum columns). */
  readonly zeroIsNull?: boolean;
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** An enum dictionary: code 0 is NULL, then values in first-seen order; codes sized as DuckDB stores them. */
class Dictionary {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  code(value: string): number {
    let c = this.index.get(value);
    if (c === undefined) {
      this.values.push(value);
      c = this.values.length;
      this.index.set(value, c);
    }
    return c;
  }
  /** DuckDB keeps ENUM codes in the smallest unsigned type that holds them (here code − 1). */
  codes(n: number): Uint8Array | Uint16Array | Uint32Array {
    return this.values.length <= 255
      ? new Uint8Array(n)
      : this.values.length <= 65535
        ? new Uint16Array(n)
        : new Uint32Array(n);
  }
}

const fixed = (values: readonly string[]): Dictionary => {
  const d = new Dictionary();
  for (const v of values) if (v !== '') d.code(v);
  return d;
};

const HOUR = 3_600_000;
const DAY = 86_400_000;

export const writeMonth = async (args: {
  batch: MonthBatch;
  month: MonthPlan;
  city: City;
  outDir: string;
  maxRowsPerFile: number;
}): Promise<WrittenFile[]> => {
  const { batch: b, month, city } = args;
  const n = b.size;
  const enums = new Map<string, Dictionary>();
  const columns: StagingColumn[] = [];
  const numeric = (name: string, ddl: string, data: Numeric) => columns.push({ name, ddl, data });
  const text = (name: string, data: (row: number) => string | null) =>
    columns.push({ name, ddl: 'VARCHAR', data });
  /** An ENUM column named as the schema's column: its codes (0 = NULL) in the dictionary's width. */
  const coded = (name: string, dictionary: Dictionary, codes: ArrayLike<number>) => {
    enums.set(name, dictionary);
    const data = dictionary.codes(n);
    for (let r = 0; r < n; r++) data[r] = codes[r] as number;
    columns.push({ name, ddl: `e_${name}`, data, zeroIsNull: true });
  };

  // strings made per row
  const hasher = city.hasher;
  const frequentHashes = new Map<number, string>();
  const idOf = (r: number) =>
    orderIdOf(b.received[r] as number, b.idA[r] as number, b.idB[r] as number, b.idC[r] as number);
  text('order_id', idOf);
  text('requester_hash', (r) => {
    const id = b.requester[r] as number;
    if (id < 0) return null;
    if (id < 2 ** 40) return hasher.hex32(`generated-requester:${id}`);
    let h = frequentHashes.get(id);
    if (h === undefined) {
      h = hasher.hex32(`generated-requester:${id}`);
      frequentHashes.set(id, h);
    }
    return h;
  });
  text('repeat_of', (r) => {
    const o = b.repeatOf[r] as number;
    return o < 0 ? null : idOf(o);
  });
  // instants (ms, −1 NULL) and numbers
  numeric('received', 'DOUBLE', b.received);
  numeric('updated', 'DOUBLE', b.updated);
  numeric('dispatched', 'DOUBLE', b.dispatched);
  numeric('contact_by', 'DOUBLE', b.contactBy);
  numeric('resolve_by', 'DOUBLE', b.resolveBy);
  numeric('contacted', 'DOUBLE', b.contacted);
  numeric('replied', 'DOUBLE', b.replied);
  numeric('closed', 'DOUBLE', b.closed);
  numeric('answered', 'DOUBLE', b.answered);
  const hoursToClose = new Float64Array(n);
  const closedDay = new Int32Array(n);
  const lat = new Float64Array(n);
  const lng = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const closed = b.closed[r] as number;
    hoursToClose[r] = closed < 0 ? -1 : (closed - (b.received[r] as number)) / HOUR;
    closedDay[r] = closed < 0 ? -1 : cstDayNumber(closed);
    const p = b.place[r] as number;
    lat[r] = p < 0 ? -1 : (city.placeLat[p] as number);
    lng[r] = p < 0 ? -1 : (city.placeLng[p] as number);
  }
  numeric('hours_to_close', 'DOUBLE', hoursToClose);
  numeric('closed_day', 'INTEGER', closedDay);
  numeric('lat', 'DOUBLE', lat);
  numeric('lng', 'DOUBLE', lng);
  numeric('version', 'UTINYINT', b.version);
  numeric('day_of_month', 'UTINYINT', b.dayOfMonth);
  numeric('hour', 'UTINYINT', b.hour);
  numeric('weekday', 'UTINYINT', b.weekday);
  numeric('round', 'UTINYINT', b.round);
  numeric('contacted_in_time', 'UTINYINT', b.contactedInTime);
  numeric('anonymous', 'UTINYINT', b.anonymous);
  numeric('flags', 'USMALLINT', b.flags);
  // small vocabularies: the batch's codes are the enum codes already
  coded('appeal_type', fixed(codeLists.appeal_type), b.appeal);
  coded('channel', fixed(codeLists.channel), b.channel);
  coded('urgency', fixed(codeLists.urgency), b.urgency);
  coded('requester_kind', fixed(codeLists.requester_kind), b.kind);
  coded('disposition', fixed(codeLists.disposition), b.disposition);
  coded('status', fixed(codeLists.status), b.status);
  coded('reply_result', fixed(codeLists.reply_result), b.replyResult);
  coded('outcome', fixed(codeLists.outcome), b.outcome);
  coded('callback_state', fixed(codeLists.callback_state), b.callbackState);
  coded('answer_solved', fixed(codeLists.answer_solved), b.answerSolved);
  coded('answer_satisfied', fixed(codeLists.answer_satisfied), b.answerSatisfied);
  coded('exclusion_reason', fixed(codeLists.exclusion_reason), b.exclusion);
  // the larger vocabularies: the month's own dictionaries, in order of first appearance
  const d = {
    category: new Dictionary(),
    l1: new Dictionary(),
    l2: new Dictionary(),
    l3: new Dictionary(),
    district: new Dictionary(),
    street: new Dictionary(),
    unit: new Dictionary(),
    unitClass: fixed(codeLists.unit_class),
    address: new Dictionary(),
    r9: new Dictionary(),
    r7: new Dictionary(),
    month: new Dictionary(),
  };
  // Codes looked up by global index (leaf, township, unit, place, cell, day), each computed once.
  const lookup = (size: number) => new Int32Array(size).fill(-1);
  const leafMaps = {
    category: lookup(city.leafCodes.length),
    l1: lookup(city.leafCodes.length),
    l2: lookup(city.leafCodes.length),
    l3: lookup(city.leafCodes.length),
  };
  const streetMaps = { street: lookup(city.streets.length), district: lookup(city.streets.length) };
  const unitMap = lookup(city.unitIds.length);
  const addressMap = lookup(city.placeLat.length);
  const r9Map = lookup(city.r9Cells.length);
  const r7Map = lookup(city.r7Cells.length);
  const monthOfDay = new Map<number, number>();
  const monthCode = (ms: number): number => {
    const day = cstDayNumber(ms);
    let m = monthOfDay.get(day);
    if (m === undefined) {
      m = d.month.code(new Date(day * DAY).toISOString().slice(0, 7));
      monthOfDay.set(day, m);
    }
    return m;
  };
  const cached = (map: Int32Array, key: number, make: () => number): number => {
    let v = map[key] as number;
    if (v < 0) {
      v = make();
      map[key] = v;
    }
    return v;
  };
  const code = {
    category: new Int32Array(n),
    l1: new Int32Array(n),
    l2: new Int32Array(n),
    l3: new Int32Array(n),
    district: new Int32Array(n),
    street: new Int32Array(n),
    unit: new Int32Array(n),
    unitClass: new Int32Array(n),
    address: new Int32Array(n),
    r9: new Int32Array(n),
    r7: new Int32Array(n),
    closedMonth: new Int32Array(n),
    assessedMonth: new Int32Array(n),
  };
  for (let r = 0; r < n; r++) {
    const leaf = b.leaf[r] as number;
    const leafCode = city.leafCodes[leaf] as string;
    code.category[r] = cached(leafMaps.category, leaf, () => d.category.code(leafCode));
    code.l1[r] = cached(leafMaps.l1, leaf, () => d.l1.code(leafCode.slice(0, 2)));
    code.l2[r] = cached(leafMaps.l2, leaf, () =>
      leafCode.length >= 4 ? d.l2.code(leafCode.slice(0, 4)) : 0,
    );
    code.l3[r] = cached(leafMaps.l3, leaf, () => (leafCode.length >= 6 ? d.l3.code(leafCode) : 0));
    const s = b.street[r] as number;
    const streetCode = (city.streets[s] as { code: string }).code;
    code.street[r] = cached(streetMaps.street, s, () => d.street.code(streetCode));
    code.district[r] = cached(streetMaps.district, s, () => d.district.code(streetCode.slice(0, 6)));
    const u = b.unit[r] as number;
    code.unit[r] = u < 0 ? 0 : cached(unitMap, u, () => d.unit.code(city.unitIds[u] as string));
    code.unitClass[r] = u < 0 ? 0 : (city.unitClass[u] as number) + 1;
    const p = b.place[r] as number;
    if (p < 0) {
      code.address[r] = 0;
      code.r9[r] = 0;
      code.r7[r] = 0;
    } else {
      code.address[r] = cached(addressMap, p, () => d.address.code(city.placeAddressHash[p] as string));
      const c9 = city.placeR9[p] as number;
      code.r9[r] = cached(r9Map, c9, () => d.r9.code(city.r9Cells[c9] as string));
      const c7 = city.placeR7[p] as number;
      code.r7[r] = cached(r7Map, c7, () => d.r7.code(city.r7Cells[c7] as string));
    }
    const closed = b.closed[r] as number;
    code.closedMonth[r] = closed < 0 ? 0 : monthCode(closed);
    const last = b.lastClosed[r] as number;
    code.assessedMonth[r] = ((b.flags[r] as number) & FLAG.assessed) !== 0 && last >= 0 ? monthCode(last) : 0;
  }
  coded('category_code', d.category, code.category);
  coded('category_l1', d.l1, code.l1);
  coded('category_l2', d.l2, code.l2);
  coded('category_l3', d.l3, code.l3);
  coded('district_code', d.district, code.district);
  coded('street_code', d.street, code.street);
  coded('unit_id', d.unit, code.unit);
  coded('unit_class', d.unitClass, code.unitClass);
  coded('address_hash', d.address, code.address);
  coded('h3_r9', d.r9, code.r9);
  coded('h3_r7', d.r7, code.r7);
  coded('closed_month', d.month, code.closedMonth);
  coded('assessed_month', d.month, code.assessedMonth);
  const rowNumber = new Int32Array(n);
  for (let r = 0; r < n; r++) rowNumber[r] = r;
  numeric('rn', 'INTEGER', rowNumber);

  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  const written: WrittenFile[] = [];
  try {
    for (const [name, dictionary] of enums) {
      // An ENUM needs at least one value; an all-NULL column gets a placeholder nobody uses.
      const values = dictionary.values.length > 0 ? dictionary.values : ['-'];
      await connection.run(`CREATE TYPE e_${name} AS ENUM (${values.map(quote).join(', ')})`);
    }
    await connection.run(`CREATE TABLE staging (${columns.map((c) => `${c.name} ${c.ddl}`).join(', ')})`);
    await append(connection, columns, n);
    const select = projection(month.key, new Set(enums.keys()));
    const dir = join(args.outDir, analyticsTable, `${analyticsPartition.name}=${month.key}`);
    mkdirSync(dir, { recursive: true });
    const parts = Math.max(1, Math.ceil(n / args.maxRowsPerFile));
    for (let part = 0; part < parts; part++) {
      const from = part * args.maxRowsPerFile;
      const to = Math.min(n, from + args.maxRowsPerFile);
      const name = `part-${String(part).padStart(5, '0')}.parquet`;
      const file = join(dir, name);
      const partial = `${file}.partial`;
      rmSync(partial, { force: true });
      await connection.run(
        `COPY (${select} WHERE rn >= ${from} AND rn < ${to}) TO ${quote(partial)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      renameSync(partial, file);
      const bytes = readFileSync(file);
      written.push({
        path: [analyticsTable, `${analyticsPartition.name}=${month.key}`, name].join('/'),
        rows: to - from,
        bytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return written;
};

/**
 * The staging columns into DuckDB, 2 048 rows at a time: numbers by one memory copy per column, ENUM
 * codes shifted to DuckDB's 0-based index with a validity mask for NULL, strings one by one.
 */
const append = async (connection: DuckDBConnection, columns: readonly StagingColumn[], n: number) => {
  const appender = await connection.createAppender('staging');
  const chunk = DuckDBDataChunk.create(columns.map((_, c) => appender.columnType(c)));
  const size = duckdb.vector_size();
  const mask = new Uint8Array(size / 8);
  const scratch = columns.map((c) =>
    c.zeroIsNull && typeof c.data !== 'function'
      ? new (c.data.constructor as new (k: number) => Numeric)(size)
      : undefined,
  );
  for (let offset = 0; offset < n; offset += size) {
    const rows = Math.min(size, n - offset);
    const maskBytes = Math.ceil(rows / 64) * 8;
    duckdb.data_chunk_reset(chunk.chunk);
    columns.forEach((c, ci) => {
      const vector = duckdb.data_chunk_get_vector(chunk.chunk, ci);
      const data = c.data;
      if (typeof data === 'function') {
        let nulls = false;
        mask.fill(0xff);
        for (let r = 0; r < rows; r++) {
          const v = data(offset + r);
          if (v === null) {
            mask[r >> 3] = (mask[r >> 3] as number) & ~(1 << (r & 7));
            nulls = true;
          } else duckdb.vector_assign_string_element(vector, r, v);
        }
        if (nulls) {
          duckdb.vector_ensure_validity_writable(vector);
          duckdb.copy_data_to_vector_validity(vector, 0, mask.buffer, 0, maskBytes);
        }
        return;
      }
      const target = scratch[ci];
      if (target) {
        let nulls = false;
        mask.fill(0xff);
        for (let r = 0; r < rows; r++) {
          const v = data[offset + r] as number;
          if (v === 0) {
            mask[r >> 3] = (mask[r >> 3] as number) & ~(1 << (r & 7));
            nulls = true;
            target[r] = 0;
          } else target[r] = v - 1;
        }
        duckdb.copy_data_to_vector(
          vector,
          0,
          target.buffer as ArrayBuffer,
          0,
          rows * target.BYTES_PER_ELEMENT,
        );
        if (nulls) {
          duckdb.vector_ensure_validity_writable(vector);
          duckdb.copy_data_to_vector_validity(vector, 0, mask.buffer, 0, maskBytes);
        }
        return;
      }
      duckdb.copy_data_to_vector(
        vector,
        0,
        data.buffer as ArrayBuffer,
        data.byteOffset + offset * data.BYTES_PER_ELEMENT,
        rows * data.BYTES_PER_ELEMENT,
      );
    });
    duckdb.data_chunk_set_size(chunk.chunk, rows);
    appender.appendDataChunk(chunk);
  }
  appender.closeSync();
};

const ts = (column: string) =>
  `CASE WHEN ${column} < 0 THEN NULL ELSE make_timestamp(CAST(${column} AS BIGINT) * 1000) END`;
const flag = (bit: number) => `(flags & ${bit}) <> 0`;

/** The schema's columns that are not ENUM columns of the staging table, from the staging columns. */
const expressions = (month: string): Record<string, string> => ({
  order_id: 'order_id',
  version: 'version',
  updated_at: ts('updated'),
  source: "'generated'",
  received_at: ts('received'),
  received_date: `DATE '${month}-01' + CAST(day_of_month - 1 AS INTEGER)`,
  received_month: `'${month}'`,
  received_hour: 'hour',
  received_weekday: 'weekday',
  anonymous: 'anonymous = 1',
  requester_hash: 'requester_hash',
  lat: 'CASE WHEN lat < 0 THEN NULL ELSE lat END',
  lng: 'CASE WHEN lng < 0 THEN NULL ELSE lng END',
  repeat_of: 'repeat_of',
  dispatched_at: ts('dispatched'),
  contact_by: ts('contact_by'),
  resolve_by: ts('resolve_by'),
  contacted_at: ts('contacted'),
  replied_at: ts('replied'),
  closed_at: ts('closed'),
  closed_date: "CASE WHEN closed_day < 0 THEN NULL ELSE DATE '1970-01-01' + closed_day END",
  hours_to_close: 'CASE WHEN hours_to_close < 0 THEN NULL ELSE hours_to_close END',
  dispatch_overdue: flag(FLAG.dispatch_overdue),
  contact_overdue: flag(FLAG.contact_overdue),
  overdue: flag(FLAG.overdue),
  urged: flag(FLAG.urged),
  supervised: flag(FLAG.supervised),
  notified: flag(FLAG.notified),
  round: 'round',
  reopenings: 'round - 1',
  answered_at: ts('answered'),
  unreachable: flag(FLAG.unreachable),
  assessed: flag(FLAG.assessed),
  contacted_in_time: 'CASE contacted_in_time WHEN 0 THEN NULL WHEN 2 THEN true ELSE false END',
  excluded: flag(FLAG.excluded),
});

/**
 * Each schema column in the schema's order: ENUM columns as they are (Parquet stores them as UTF-8
 * strings, which is what VARCHAR is), the rest cast to the schema's type.
 */
const projection = (month: string, enumColumns: ReadonlySet<string>): string => {
  const e = expressions(month);
  const list = analyticsColumns.map((c) => {
    if (enumColumns.has(c.name)) {
      if (c.type !== 'string') throw new Error(`Column ${c.name} is no string column; it cannot be an ENUM.`);
      return c.name;
    }
    const expression = e[c.name];
    if (expression === undefined) throw new Error(`The generator has no expression for column ${c.name}.`);
    return `CAST(${expression} AS ${analyticsTypes[c.type].duckdb}) AS ${c.name}`;
  });
  return `SELECT ${list.join(', ')} FROM staging`;
};
