import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Area {
  code: string;
  name: string;
  level: 'district' | 'street';
  parentCode: string;
}
interface AreasFile {
  version: string;
  city: { code: string; name: string };
  items: Area[];
}
interface Unit {
  id: string;
  name: string;
  class: 'district' | 'street' | 'department' | 'enterprise';
  areaCode: string;
  alwaysOn?: boolean;
}
interface UnitsFile {
  version: string;
  items: Unit[];
}
interface Category {
  code: string;
  name: string;
  level: 1 | 2 | 3;
  parentCode: string | null;
  utility?: boolean;
  manualDispatch?: boolean;
}
interface CategoriesFile {
  version: string;
  items: Category[];
}
interface CatalogueEntry {
  categoryCode: string;
  areaCode: string;
  leadUnitId: string;
  coUnitIds: string[];
  note?: string;
}
interface CatalogueFile {
  version: string;
  entries: CatalogueEntry[];
}
interface HolidayDay {
  date: string;
  name: string;
}
interface HolidayYear {
  source: string;
  provisional: boolean;
  holidays: HolidayDay[];
  makeupWorkdays: HolidayDay[];
}
interface HolidaysFile {
  version: string;
  timeZone: string;
  years: Record<string, HolidayYear>;
}

const load = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../../data/${name}`, import.meta.url), 'utf8')) as T;

const areas = load<AreasFile>('areas.json');
const units = load<UnitsFile>('units.json');
const categories = load<CategoriesFile>('categories.json');
const catalogue = load<CatalogueFile>('catalogue.json');
const holidays = load<HolidaysFile>('holidays.json');

const CITY = '110000';
const OFFICIAL_DISTRICTS: Record<string, string> = {
  '110101': '东城区',
  '110102': '西城区',
  '110105': '朝阳区',
  '110106': '丰台区',
  '110107': '石景山区',
  '110108': '海淀区',
  '110109': '门头沟区',
  '110111': '房山区',
  '110112': '通州区',
  '110113': '顺义区',
  '110114': '昌平区',
  '110115': '大兴区',
  '110116': '怀柔区',
  '110117': '平谷区',
  '110118': '密云区',
  '110119': '延庆区',
};

const districts = areas.items.filter((a) => a.level === 'district');
const streets = areas.items.filter((a) => a.level === 'street');
const areaByCode = new Map(areas.items.map((a) => [a.code, a]));
const unitById = new Map(units.items.map((u) => [u.id, u]));
const categoryByCode = new Map(categories.items.map((c) => [c.code, c]));

const duplicates = (values: string[]): string[] => values.filter((v, i) => values.indexOf(v) !== i);
const weekday = (date: string): number => new Date(`${date}T00:00:00Z`).getUTCDay();
const isValidDate = (date: string): boolean =>
  /^\d{4}-\d{2}-\d{2}$/.test(date) && new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) === date;

describe('demo city reference data', () => {
  it('has the same version in every file', () => {
    const versions = [areas, units, categories, catalogue, holidays].map((f) => f.version);
    expect(new Set(versions)).toEqual(new Set(['2026-11-25']));
  });

  it('has the 16 Beijing districts with their official codes under the city', () => {
    expect(areas.city).toEqual({ code: CITY, name: '北京市' });
    expect(districts).toHaveLength(16);
    expect(Object.fromEntries(districts.map((d) => [d.code, d.name]))).toEqual(OFFICIAL_DISTRICTS);
    for (const d of districts) expect(d.parentCode).toBe(CITY);
  });

  it('has at least 4 streets per district, each a 9-digit code under its district', () => {
    for (const d of districts) {
      expect(streets.filter((s) => s.parentCode === d.code).length, d.name).toBeGreaterThanOrEqual(4);
    }
    for (const s of streets) {
      expect(areaByCode.get(s.parentCode)?.level, s.name).toBe('district');
      expect(s.code, s.name).toMatch(/^\d{9}$/);
      expect(s.code.startsWith(s.parentCode), s.name).toBe(true);
      expect(s.name, s.code).toMatch(/(街道|镇|乡)$/);
    }
  });

  it('has unique area codes, unit ids and category codes', () => {
    expect(duplicates(areas.items.map((a) => a.code))).toEqual([]);
    expect(areas.items.map((a) => a.code)).not.toContain(CITY);
    expect(duplicates(units.items.map((u) => u.id))).toEqual([]);
    expect(duplicates(categories.items.map((c) => c.code))).toEqual([]);
  });

  it('has exactly one district government per district and one office per street', () => {
    for (const d of districts) {
      const govs = units.items.filter((u) => u.id.startsWith('gov-') && u.areaCode === d.code);
      expect(
        govs.map((u) => [u.id, u.class]),
        d.name,
      ).toEqual([[`gov-${d.code}`, 'district']]);
    }
    for (const s of streets) {
      const offices = units.items.filter((u) => u.id.startsWith('st-') && u.areaCode === s.code);
      expect(
        offices.map((u) => [u.id, u.class]),
        s.name,
      ).toEqual([[`st-${s.code}`, 'street']]);
    }
    expect(units.items.filter((u) => u.class === 'district')).toHaveLength(districts.length);
    expect(units.items.filter((u) => u.class === 'street')).toHaveLength(streets.length);
  });

  it('has city departments and always-on utility enterprises located in the city', () => {
    const departments = units.items.filter((u) => u.class === 'department');
    const enterprises = units.items.filter((u) => u.class === 'enterprise');
    expect(departments.length).toBeGreaterThanOrEqual(14);
    for (const u of [...departments, ...enterprises]) expect(u.areaCode, u.id).toBe(CITY);
    for (const u of departments) expect(u.id).toMatch(/^dept-[a-z]+$/);
    for (const id of ['ent-water', 'ent-power', 'ent-gas', 'ent-heat', 'ent-drainage']) {
      expect(unitById.get(id)?.alwaysOn, id).toBe(true);
    }
    expect(unitById.get('ent-bus')?.alwaysOn).toBeUndefined();
    for (const u of units.items) {
      if (u.areaCode !== CITY) expect(areaByCode.has(u.areaCode), u.id).toBe(true);
    }
  });

  it('has a category tree over exactly 3 levels with valid parents and code prefixes', () => {
    const items = categories.items;
    expect(items.length).toBeGreaterThanOrEqual(87);
    expect(new Set(items.map((c) => c.level))).toEqual(new Set([1, 2, 3]));
    expect(items.filter((c) => c.level === 1).length).toBeGreaterThanOrEqual(12);
    expect(items.filter((c) => c.level === 2).length).toBeGreaterThanOrEqual(30);
    expect(items.filter((c) => c.level === 3).length).toBeGreaterThanOrEqual(45);
    for (const c of items) {
      expect(c.code, c.name).toMatch(new RegExp(`^\\d{${c.level * 2}}$`));
      if (c.level === 1) {
        expect(c.parentCode, c.name).toBeNull();
        continue;
      }
      const parent = c.parentCode === null ? undefined : categoryByCode.get(c.parentCode);
      expect(parent?.level, c.name).toBe(c.level - 1);
      expect(c.code.startsWith(c.parentCode ?? '?'), c.name).toBe(true);
      expect(c.utility ?? false, c.name).toBe(parent?.utility ?? false);
      expect(c.manualDispatch ?? false, c.name).toBe(parent?.manualDispatch ?? false);
    }
  });

  it('has a manual-dispatch "其他" branch and utility flags on water, power, gas, heat and drainage', () => {
    const other = categories.items.filter((c) => c.level === 1 && c.name === '其他');
    expect(other).toHaveLength(1);
    const manual = categories.items.filter((c) => c.manualDispatch);
    expect(manual.length).toBeGreaterThan(2);
    for (const c of manual) expect(c.code.startsWith(other[0]?.code ?? '?'), c.name).toBe(true);
    const utilityRoots = categories.items.filter((c) => c.level === 1 && c.utility).map((c) => c.name);
    expect(new Set(utilityRoots)).toEqual(new Set(['供水', '供电', '燃气', '供暖', '排水']));
  });

  it('returns only existing categories, areas and units from every catalogue entry', () => {
    expect(catalogue.entries.length).toBeGreaterThan(0);
    for (const e of catalogue.entries) {
      const where = `${e.categoryCode}@${e.areaCode}`;
      expect(categoryByCode.has(e.categoryCode), where).toBe(true);
      expect(e.areaCode === CITY || areaByCode.has(e.areaCode), where).toBe(true);
      expect(unitById.has(e.leadUnitId), where).toBe(true);
      for (const id of e.coUnitIds) expect(unitById.has(id), `${where} co ${id}`).toBe(true);
      expect(e.coUnitIds, where).not.toContain(e.leadUnitId);
      expect(duplicates(e.coUnitIds), where).toEqual([]);
    }
    expect(duplicates(catalogue.entries.map((e) => `${e.categoryCode}@${e.areaCode}`))).toEqual([]);
  });

  it('has no catalogue entry for manual-dispatch categories and leaves some roots without a city-wide rule', () => {
    for (const e of catalogue.entries) {
      expect(categoryByCode.get(e.categoryCode)?.manualDispatch ?? false, e.categoryCode).toBe(false);
    }
    const cityWideRoots = new Set(
      catalogue.entries
        .filter((e) => e.areaCode === CITY && e.categoryCode.length === 2)
        .map((e) => e.categoryCode),
    );
    const routableRoots = categories.items.filter((c) => c.level === 1 && !c.manualDispatch);
    expect(routableRoots.filter((c) => !cityWideRoots.has(c.code)).length).toBeGreaterThanOrEqual(2);
  });

  it('has street-level entries leading to the street office of that street', () => {
    const streetEntries = catalogue.entries.filter((e) => areaByCode.get(e.areaCode)?.level === 'street');
    expect(streetEntries.length).toBeGreaterThanOrEqual(streets.length);
    for (const e of streetEntries) expect(e.leadUnitId).toBe(`st-${e.areaCode}`);
  });

  it('has holiday calendars for 2025 to 2027 with sorted, valid, unique dates in their year', () => {
    expect(holidays.timeZone).toBe('Asia/Shanghai');
    expect(Object.keys(holidays.years).sort()).toEqual(['2025', '2026', '2027']);
    for (const [year, cal] of Object.entries(holidays.years)) {
      expect(cal.source.length, year).toBeGreaterThan(0);
      for (const list of [cal.holidays, cal.makeupWorkdays]) {
        const dates = list.map((d) => d.date);
        for (const d of dates) {
          expect(isValidDate(d), d).toBe(true);
          expect(d.startsWith(`${year}-`), d).toBe(true);
        }
        expect(dates, year).toEqual([...dates].sort());
        expect(duplicates(dates), year).toEqual([]);
        for (const d of list) expect(d.name.length, d.date).toBeGreaterThan(0);
      }
    }
  });

  it('has no date that is both a holiday and a make-up workday, and make-up workdays on weekends', () => {
    for (const [year, cal] of Object.entries(holidays.years)) {
      const off = new Set(cal.holidays.map((d) => d.date));
      for (const m of cal.makeupWorkdays) {
        expect(off.has(m.date), `${year} ${m.date}`).toBe(false);
        expect([0, 6], m.date).toContain(weekday(m.date));
      }
    }
  });

  it('has the day counts of the official notices and marks only 2027 as provisional', () => {
    const y2025 = holidays.years['2025'];
    const y2026 = holidays.years['2026'];
    const y2027 = holidays.years['2027'];
    // 2025: 元旦 1 + 春节 8 + 清明 3 + 劳动节 5 + 端午 3 + 国庆中秋 8 = 28 days off, 5 make-up workdays
    expect(y2025?.holidays).toHaveLength(28);
    expect(y2025?.makeupWorkdays.map((d) => d.date)).toEqual([
      '2025-01-26',
      '2025-02-08',
      '2025-04-27',
      '2025-09-28',
      '2025-10-11',
    ]);
    // 2026: 元旦 3 + 春节 9 + 清明 3 + 劳动节 5 + 端午 3 + 中秋 3 + 国庆 7 = 33 days off, 6 make-up workdays
    expect(y2026?.holidays).toHaveLength(33);
    expect(y2026?.makeupWorkdays).toHaveLength(6);
    // 2027 (provisional): 元旦 3 + 春节 9 + 清明 3 + 劳动节 5 + 端午 1 + 中秋 1 + 国庆 7 = 29
    expect(y2027?.holidays).toHaveLength(29);
    expect(y2025?.provisional).toBe(false);
    expect(y2026?.provisional).toBe(false);
    expect(y2027?.provisional).toBe(true);
  });
});
