/**
 * The city a deployment serves: its areas (districts and streets/townships), handling units, the
 * category taxonomy and the dispatch catalogue. Plain data in, lookups out; loaded once per container.
 */
export interface Area {
  readonly code: string;
  readonly name: string;
  readonly level: 'district' | 'street';
  readonly parentCode: string;
  /** Resident population at the 2020 census (第七次全国人口普查); some township figures are estimates. */
  readonly population?: number;
  /** Centroid, WGS 84 degrees. */
  readonly lat?: number;
  readonly lng?: number;
}

export const unitClasses = ['district', 'street', 'department', 'enterprise'] as const;
export type UnitClass = (typeof unitClasses)[number];

export interface Unit {
  readonly id: string;
  readonly name: string;
  readonly class: UnitClass;
  readonly areaCode: string;
  /** Works around the clock (public-service enterprises, Art. 19). */
  readonly alwaysOn?: boolean;
}

export interface Category {
  readonly code: string;
  readonly name: string;
  readonly level: 1 | 2 | 3;
  readonly parentCode: string | null;
  /** Water, power, gas, heat, drainage: urgent limits apply. */
  readonly utility?: boolean;
  /** No catalogue rule and no district fallback: a dispatcher picks the unit. */
  readonly manualDispatch?: boolean;
}

/** One line of the dispatch catalogue (派单目录): category × area → lead unit (+ co-handlers). */
export interface CatalogueEntry {
  readonly categoryCode: string;
  /** A street, a district, or the city code for "anywhere in the city". */
  readonly areaCode: string;
  readonly leadUnitId: string;
  readonly coUnitIds: readonly string[];
  readonly note?: string;
}

export interface ReferenceDataSources {
  readonly areas: {
    readonly city: { readonly code: string; readonly name: string };
    readonly items: readonly Area[];
  };
  readonly units: { readonly items: readonly Unit[] };
  readonly categories: { readonly items: readonly Category[] };
  readonly catalogue: { readonly entries: readonly CatalogueEntry[] };
}

export class ReferenceData {
  readonly city: { readonly code: string; readonly name: string };
  readonly areas: readonly Area[];
  readonly units: readonly Unit[];
  readonly categories: readonly Category[];
  readonly catalogue: readonly CatalogueEntry[];
  private readonly areaByCode: ReadonlyMap<string, Area>;
  private readonly unitById: ReadonlyMap<string, Unit>;
  /** Keyed by code; a root's `parentCode` (null) is no code, so looking it up ends a walk up the tree. */
  private readonly categoryByCode: ReadonlyMap<string | null, Category>;
  private readonly districtGovernment: ReadonlyMap<string, Unit>;
  private readonly catalogueIndex: ReadonlyMap<string, CatalogueEntry>;

  /** The same city with another catalogue (the centre's edits merged in). */
  withCatalogue(entries: readonly CatalogueEntry[]): ReferenceData {
    return new ReferenceData({ ...this.sources, catalogue: { entries } });
  }

  constructor(private readonly sources: ReferenceDataSources) {
    this.city = sources.areas.city;
    this.areas = sources.areas.items;
    this.units = sources.units.items;
    this.categories = sources.categories.items;
    this.catalogue = sources.catalogue.entries;
    this.areaByCode = new Map(this.areas.map((a) => [a.code, a]));
    this.unitById = new Map(this.units.map((u) => [u.id, u]));
    this.categoryByCode = new Map(this.categories.map((c) => [c.code, c]));
    this.districtGovernment = new Map(
      this.units.filter((u) => u.class === 'district').map((u) => [u.areaCode, u] as const),
    );
    this.catalogueIndex = new Map(this.catalogue.map((e) => [catalogueKey(e.categoryCode, e.areaCode), e]));
  }

  area(code: string): Area | undefined {
    return this.areaByCode.get(code);
  }

  unit(id: string): Unit | undefined {
    return this.unitById.get(id);
  }

  category(code: string): Category | undefined {
    return this.categoryByCode.get(code);
  }

  /** The district government (区政府) of a district code. */
  districtGovernmentOf(districtCode: string): Unit | undefined {
    return this.districtGovernment.get(districtCode);
  }

  /** The category's codes from its root to itself, e.g. ['04', '0401', '040101']. */
  categoryPath(code: string): string[] {
    const path: string[] = [];
    for (let c = this.category(code); c; c = this.categoryByCode.get(c.parentCode)) {
      path.unshift(c.code);
      if (path.length > 3) break; // the taxonomy has three levels; a cycle in the data must not hang us
    }
    return path;
  }

  catalogueEntry(categoryCode: string, areaCode: string): CatalogueEntry | undefined {
    return this.catalogueIndex.get(catalogueKey(categoryCode, areaCode));
  }
}

const catalogueKey = (categoryCode: string, areaCode: string): string => `${categoryCode}|${areaCode}`;
