import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCity, officeName, STREET_LINE_CATEGORIES } from '../../scripts/build-city.ts';

interface Area {
  code: string;
  name: string;
  level: 'district' | 'street';
  parentCode: string;
  population: number;
  lat: number;
  lng: number;
  populationSource?: 'estimated';
  centroidSource?: 'estimated';
}
interface Source {
  id: string;
  name: string;
  url: string;
  licence: string;
  taken: string;
}
interface AreasFile {
  version: string;
  city: { code: string; name: string };
  sources: Source[];
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

const dataUrl = (name: string): URL => new URL(`../../data/${name}`, import.meta.url);
const load = <T>(name: string): T => JSON.parse(readFileSync(dataUrl(name), 'utf8')) as T;

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
    expect(new Set(versions)).toEqual(new Set(['2026-12-02']));
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

  it('has all of Beijing’s streets and townships, keeping the codes and names the code relies on', () => {
    // Beijing has 343 street- and township-level divisions (NBS 2022 codes).
    expect(streets.length).toBeGreaterThanOrEqual(330);
    const names = Object.fromEntries(streets.map((s) => [s.code, s.name]));
    expect(names).toMatchObject({
      '110101001': '东华门街道',
      '110105001': '建外街道',
      '110105003': '呼家楼街道',
      '110108003': '羊坊店街道',
      '110119214': '珍珠泉乡',
    });
    for (const d of districts) {
      const names = streets.filter((s) => s.parentCode === d.code).map((s) => s.name);
      expect(duplicates(names), d.name).toEqual([]);
    }
  });

  it('gives every district and street a population and a centroid inside Beijing', () => {
    for (const a of areas.items) {
      expect(Number.isInteger(a.population) && a.population > 0, a.name).toBe(true);
      expect(a.lat, a.name).toBeGreaterThanOrEqual(39.4);
      expect(a.lat, a.name).toBeLessThanOrEqual(41.1);
      expect(a.lng, a.name).toBeGreaterThanOrEqual(115.4);
      expect(a.lng, a.name).toBeLessThanOrEqual(117.5);
      expect([undefined, 'estimated'], a.name).toContain(a.populationSource);
      expect([undefined, 'estimated'], a.name).toContain(a.centroidSource);
    }
  });

  it('has district populations of the 2020 census that the streets add up to', () => {
    // 北京市第七次全国人口普查公报（第二号）: 21 893 095 residents. The district figures are exact; 0.1 %
    // (≈ 22 000) leaves room for a revised figure, while a missing or wrong district (the smallest,
    // 延庆区, is 1.6 %) fails.
    const total = districts.reduce((sum, d) => sum + d.population, 0);
    expect(Math.abs(total - 21_893_095)).toBeLessThanOrEqual(21_893_095 * 0.001);
    for (const d of districts) {
      const ofStreets = streets
        .filter((s) => s.parentCode === d.code)
        .reduce((sum, s) => sum + s.population, 0);
      expect(Math.abs(ofStreets - d.population), d.name).toBeLessThanOrEqual(d.population * 0.01);
    }
  });

  it('names its sources, including how estimated values were made', () => {
    expect(areas.sources.length).toBeGreaterThanOrEqual(3);
    for (const s of areas.sources) {
      for (const field of [s.id, s.name, s.url, s.licence, s.taken])
        expect(field.length, s.id).toBeGreaterThan(0);
    }
    const ids = areas.sources.map((s) => s.id);
    expect(duplicates(ids)).toEqual([]);
    if (areas.items.some((a) => a.populationSource === 'estimated'))
      expect(ids).toContain('estimated-population');
    if (areas.items.some((a) => a.centroidSource === 'estimated'))
      expect(ids).toContain('estimated-centroid');
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

  it('gives every street office the same street-level lines', () => {
    for (const s of streets) {
      const lines = catalogue.entries.filter((e) => e.areaCode === s.code).map((e) => e.categoryCode);
      expect(lines, s.name).toEqual([...STREET_LINE_CATEGORIES]);
      expect(unitById.get(`st-${s.code}`)?.name, s.code).toBe(officeName(s.name));
    }
  });

  it('has the seasonal categories and routes them: snow to streets, heating repairs and catering fumes', () => {
    const tree = (code: string) => categories.items.filter((c) => c.code.startsWith(code)).map((c) => c.name);
    expect(tree('0107')).toEqual(['扫雪铲冰', '道路积雪结冰', '小区积雪清扫']);
    expect(tree('0304')).toEqual(['供暖设施报修', '暖气漏水', '试水打压']);
    expect(tree('1004')).toEqual(['餐饮油烟', '餐饮油烟扰民']);
    expect(categoryByCode.get('030402')?.utility).toBe(true);
    const line = (categoryCode: string, areaCode: string) =>
      catalogue.entries.find((e) => e.categoryCode === categoryCode && e.areaCode === areaCode);
    expect(line('0304', CITY)?.leadUnitId).toBe('ent-heat');
    expect(line('1004', CITY)?.leadUnitId).toBe('dept-sthjj');
    for (const d of districts) {
      expect(line('100401', d.code), d.name).toEqual({ ...line('100101', d.code), categoryCode: '100401' });
    }
  });

  it('has units and catalogue equal to what scripts/build-city.ts derives from the areas', () => {
    const built = buildCity();
    expect(readFileSync(dataUrl('units.json'), 'utf8')).toBe(built['units.json']);
    expect(readFileSync(dataUrl('catalogue.json'), 'utf8')).toBe(built['catalogue.json']);
  });

  it('has a small district map with one feature per district', () => {
    const file = dataUrl('geo/beijing-districts.geo.json');
    expect(statSync(file).size).toBeLessThan(300_000);
    const map = JSON.parse(readFileSync(file, 'utf8')) as {
      features: { properties: { code: string; name: string }; geometry: { type: string } }[];
    };
    expect(Object.fromEntries(map.features.map((f) => [f.properties.code, f.properties.name]))).toEqual(
      OFFICIAL_DISTRICTS,
    );
    for (const f of map.features) expect(['Polygon', 'MultiPolygon']).toContain(f.geometry.type);
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
