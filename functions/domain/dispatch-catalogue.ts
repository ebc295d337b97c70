import type { ReferenceData, Unit } from './reference-data.ts';

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

  const places = [order.location.streetCode, order.location.districtCode, ref.city.code].filter(
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
): Extract<Route, { kind: 'unit' }> => withDistrictCopy(ref, { ...choice, basis: { rule: 'dispatcher' } });

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
