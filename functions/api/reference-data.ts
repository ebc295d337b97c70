import { HotlineError } from '#domain/errors.ts';
import { type ApiEvent, json, withoutBody } from '#shared/platform/http.ts';
import { referenceData } from '#shared/platform/reference.ts';

/** GET /areas, /categories, /units: the city's reference data, cacheable for an hour. */
const views: Record<string, () => unknown> = {
  '/areas': () =>
    referenceData.areas.map(({ code, name, level, parentCode }) => ({ code, name, level, parentCode })),
  '/categories': () =>
    referenceData.categories.map((c) => ({
      code: c.code,
      name: c.name,
      level: c.level,
      parentCode: c.parentCode,
      utility: c.utility ?? false,
      manualDispatch: c.manualDispatch ?? false,
    })),
  '/units': () =>
    referenceData.units.map((u) => ({
      id: u.id,
      name: u.name,
      class: u.class,
      areaCode: u.areaCode,
      alwaysOn: u.alwaysOn ?? false,
    })),
};

export const handler = withoutBody(async (event: ApiEvent) => {
  const path = event.routeKey.split(' ')[1] ?? '';
  const view = views[path];
  if (!view) throw new HotlineError('notFound', 'ROUTE_NOT_FOUND', `No reference data at ${path}.`);
  return json(200, { items: view() }, { 'cache-control': 'private, max-age=3600' });
});
