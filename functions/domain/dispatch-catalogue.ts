import { HotlineError } from './errors.ts';
import type { CatalogueEntry, ReferenceData, Unit } from './reference-data.ts';

/**
 * Routing by the dispatch catalogue (派单目录, Art. 11-12), pure.
 *
 * Precedence: the most specific category first (level 3 → 2 → 1) and, for each, the most specific
 * place (street → district → whole city). When the catalogue names no unit but the district is known,
 * the district government takes it (Art. 12(2)); categories marked for manual dispatch, and places
 * with no district government, wait for a dispatcher. A street or township that receives an order
 * directly has its district government copied (Art. 12(1)).
 */
export type Route =
  | {
      readonly kind: 'unit';
      readonly leadUnitId: string;
      readonly coUnitIds: readonly string[];
      /** Units informed but not responsible: the district of a street lead (Art. 12(1)). */
      readonly copiedUnitIds: readonly string[];
      readonly basis: RouteBasis;
    }
  | { readonly kind: 'dispatcher'; readonly reason: 'manual_category' | 'no_rule' };

export type RouteBasis =
  | { readonly rule: 'catalogue'; readonly categoryCode: string; readonly areaCode: string }
  | { readonly rule: 'district_fallback'; readonly districtCode: string }
  | { readonly rule: 'dispatcher' };

export interface RoutableOrder {
  readonly categoryCode: string;
  readonly location: { readonly districtCode: string; readonly streetCode?: string | undefined };
}

export const routeByCatalogue = (order: RoutableOrder, ref: ReferenceData): Route => {
  const category = ref.category(order.categoryCode);
  if (!category || category.manualDispatch) return { kind: 'dispatcher', reason: 'manual_category' };

  // Stryker disable next-line MethodExpression: equivalent, an absent street would look up `<category>|undefined`, a key no catalogue line has
  const places = [order.location.streetCode, order.location.districtCode, ref.city.code].filter(
    // Stryker disable next-line ConditionalExpression: equivalent, as above (keeping an absent street finds no line)
    (code): code is string => code !== undefined,
  );
  for (const categoryCode of ref.categoryPath(order.categoryCode).reverse()) {
    for (const areaCode of places) {
      const entry = ref.catalogueEntry(categoryCode, areaCode);
      if (entry) {
        return withDistrictCopy(ref, {
          leadUnitId: entry.leadUnitId,
          coUnitIds: entry.coUnitIds,
          basis: { rule: 'catalogue', categoryCode, areaCode },
        });
      }
    }
  }

  const district = ref.districtGovernmentOf(order.location.districtCode);
  if (!district) return { kind: 'dispatcher', reason: 'no_rule' };
  return {
    kind: 'unit',
    leadUnitId: district.id,
    coUnitIds: [],
    copiedUnitIds: [],
    basis: { rule: 'district_fallback', districtCode: order.location.districtCode },
  };
};

/** A dispatcher's choice, with the same Art. 12(1) copy rule as the catalogue. */
export const routeByDispatcher = (
  ref: ReferenceData,
  choice: { leadUnitId: string; coUnitIds: readonly string[] },
): Extract<Route, { kind: 'unit' }> =>
  withDistrictCopy(ref, {
    ...choice,
    coUnitIds: [...new Set(choice.coUnitIds)],
    basis: { rule: 'dispatcher' },
  });

const withDistrictCopy = (
  ref: ReferenceData,
  route: { leadUnitId: string; coUnitIds: readonly string[]; basis: RouteBasis },
): Extract<Route, { kind: 'unit' }> => {
  const lead = ref.unit(route.leadUnitId);
  const copied: Unit[] = [];
  if (lead?.class === 'street') {
    const street = ref.area(lead.areaCode);
    const district = street ? ref.districtGovernmentOf(street.parentCode) : undefined;
    if (district && !route.coUnitIds.includes(district.id)) copied.push(district);
  }
  return {
    kind: 'unit',
    leadUnitId: route.leadUnitId,
    coUnitIds: route.coUnitIds.filter((id) => id !== route.leadUnitId),
    copiedUnitIds: copied.map((u) => u.id),
    basis: route.basis,
  };
};

/**
 * The catalogue in force: the bundled one (data/catalogue.json) with the centre's edits on top. An
 * edit replaces the line of the same category and place; a removal (`removed: true`) takes it out.
 */
export interface CatalogueEdit extends CatalogueEntry {
  readonly removed?: boolean;
}

export const mergeCatalogue = (
  base: readonly CatalogueEntry[],
  edits: readonly CatalogueEdit[],
): CatalogueEntry[] => {
  const key = (e: { categoryCode: string; areaCode: string }) => `${e.categoryCode}|${e.areaCode}`;
  const merged = new Map(base.map((e) => [key(e), e] as const));
  for (const edit of edits) {
    if (edit.removed) merged.delete(key(edit));
    else {
      const { removed: _removed, ...entry } = edit;
      merged.set(key(edit), entry);
    }
  }
  return [...merged.values()];
};

/** Checks a catalogue line against the city: its category, place and units exist; 422 otherwise. */
export const checkCatalogueEntry = (entry: CatalogueEntry, ref: ReferenceData): void => {
  const problems: { path: string; code: string; message: string }[] = [];
  const category = ref.category(entry.categoryCode);
  if (!category)
    problems.push({
      path: 'categoryCode',
      code: 'UNKNOWN_CATEGORY',
      message: `No category ${entry.categoryCode}.`,
    });
  else if (category.manualDispatch) {
    problems.push({
      path: 'categoryCode',
      code: 'MANUAL_CATEGORY',
      message: `${category.name} is dispatched by hand; it takes no catalogue line.`,
    });
  }
  if (entry.areaCode !== ref.city.code && !ref.area(entry.areaCode)) {
    problems.push({ path: 'areaCode', code: 'UNKNOWN_AREA', message: `No area ${entry.areaCode}.` });
  }
  for (const [i, id] of [entry.leadUnitId, ...entry.coUnitIds].entries()) {
    if (!ref.unit(id))
      problems.push({
        path: i === 0 ? 'leadUnitId' : `coUnitIds.${i - 1}`,
        code: 'UNKNOWN_UNIT',
        message: `No unit ${id}.`,
      });
  }
  if (new Set(entry.coUnitIds).size !== entry.coUnitIds.length) {
    problems.push({
      path: 'coUnitIds',
      code: 'DUPLICATE_CO_HANDLER',
      message: 'A co-handler is named twice.',
    });
  }
  if (entry.coUnitIds.includes(entry.leadUnitId)) {
    problems.push({
      path: 'coUnitIds',
      code: 'LEAD_AS_CO_HANDLER',
      message: 'The lead unit is not also its own co-handler.',
    });
  }
  const [first] = problems;
  if (first)
    throw new HotlineError(
      'unprocessable',
      problems.length === 1 ? first.code : 'INVALID_CATALOGUE_ENTRY',
      first.message,
      problems,
    );
};
