import type { Api } from './api.ts';

/** The city's names (GET /categories, /units, /areas), to show names where the insights carry codes. */
export interface Reference {
  category(code: string | null | undefined): string;
  unit(id: string | null | undefined): string;
  area(code: string | null | undefined): string;
  /** The district (6-digit code) of a street/township code (9 digits), or of a district itself. */
  districtOf(code: string): string | undefined;
}

interface Named {
  readonly code?: string;
  readonly id?: string;
  readonly name: string;
  readonly parentCode?: string | null;
  readonly level?: number | string;
}

const itemsOf = async (api: Api, path: string): Promise<Named[]> => {
  try {
    return ((await api.get<{ items?: Named[] }>(path)).items ?? []).filter((i) => typeof i.name === 'string');
  } catch {
    // Names are a comfort: without them the page shows codes.
    return [];
  }
};

export const loadReference = async (api: Api): Promise<Reference> => {
  const [categories, units, areas] = await Promise.all([
    itemsOf(api, '/categories'),
    itemsOf(api, '/units'),
    itemsOf(api, '/areas'),
  ]);
  const byCode = (items: Named[], key: 'code' | 'id') =>
    new Map(items.map((i) => [String(i[key] ?? ''), i] as const));
  const c = byCode(categories, 'code');
  const u = byCode(units, 'id');
  const a = byCode(areas, 'code');
  const nameOr = (map: Map<string, Named>, code: string | null | undefined) =>
    code ? (map.get(code)?.name ?? code) : '—';
  return {
    category: (code) => nameOr(c, code),
    unit: (id) => {
      if (!id) return '—';
      // A street office's id is st-<street code>: fall back to the township's name.
      return u.get(id)?.name ?? (id.startsWith('st-') ? nameOr(a, id.slice(3)) : id);
    },
    area: (code) => nameOr(a, code),
    districtOf: (code) => {
      if (code.length === 6) return code;
      const parent = a.get(code)?.parentCode;
      return parent ?? (code.length >= 6 ? code.slice(0, 6) : undefined);
    },
  };
};
