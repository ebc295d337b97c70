import { readFileSync, writeFileSync } from 'node:fs';
import type { Area, CatalogueEntry, Unit } from '../functions/domain/reference-data.ts';

/**
 * Derives the street level of the demo city from data/areas.json, so that it cannot drift from the
 * map: one office per street/township (街道办事处, 镇/乡人民政府) in data/units.json, and the same
 * street-level catalogue lines for every street in data/catalogue.json. Everything else in those two
 * files (districts, departments, enterprises, city and district lines) is kept as it is.
 * Run: `npx tsx scripts/build-city.ts`; a test checks that the files equal what it would write.
 */
interface UnitsFile {
  readonly version: string;
  readonly items: readonly Unit[];
}
interface CatalogueFile {
  readonly version: string;
  readonly entries: readonly CatalogueEntry[];
}
interface AreasFile {
  readonly version: string;
  readonly items: readonly Area[];
}

/** The categories every street office handles itself (its own lines, no co-handlers). */
export const STREET_LINE_CATEGORIES = ['0101', '0102', '0104', '0107', '0201', '100102'] as const;

/** 街道 → 街道办事处; 镇 and 乡 (民族乡 included) → 人民政府. */
export const officeName = (areaName: string): string =>
  areaName.endsWith('街道') ? `${areaName}办事处` : `${areaName}人民政府`;

const streetsOf = (areas: AreasFile): Area[] =>
  areas.items.filter((a) => a.level === 'street').sort((a, b) => a.code.localeCompare(b.code));

export const buildUnits = (areas: AreasFile, units: UnitsFile): UnitsFile => {
  const offices: Unit[] = streetsOf(areas).map((s) => ({
    id: `st-${s.code}`,
    name: officeName(s.name),
    class: 'street',
    areaCode: s.code,
  }));
  return {
    version: areas.version,
    items: [
      ...units.items.filter((u) => u.class === 'district'),
      ...offices,
      ...units.items.filter((u) => u.class !== 'district' && u.class !== 'street'),
    ],
  };
};

export const buildCatalogue = (areas: AreasFile, catalogue: CatalogueFile): CatalogueFile => {
  const streets = streetsOf(areas);
  const streetCodes = new Set(streets.map((s) => s.code));
  const streetLines: CatalogueEntry[] = streets.flatMap((s) =>
    STREET_LINE_CATEGORIES.map((categoryCode) => ({
      categoryCode,
      areaCode: s.code,
      leadUnitId: `st-${s.code}`,
      coUnitIds: [],
    })),
  );
  return {
    version: areas.version,
    entries: [...catalogue.entries.filter((e) => !streetCodes.has(e.areaCode)), ...streetLines],
  };
};

/** The files' text as the script writes them: two-space JSON and a final newline. */
export const toFileText = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

const dataFile = (name: string): URL => new URL(`../data/${name}`, import.meta.url);
const read = <T>(name: string): T => JSON.parse(readFileSync(dataFile(name), 'utf8')) as T;

/** What the script would write, by file name; read from the files as they are now. */
export const buildCity = (): Record<'units.json' | 'catalogue.json', string> => {
  const areas = read<AreasFile>('areas.json');
  return {
    'units.json': toFileText(buildUnits(areas, read<UnitsFile>('units.json'))),
    'catalogue.json': toFileText(buildCatalogue(areas, read<CatalogueFile>('catalogue.json'))),
  };
};

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, text] of Object.entries(buildCity())) {
    writeFileSync(dataFile(name), text);
    console.log(`wrote data/${name}`);
  }
}
