import createClient from 'openapi-fetch';
import type { paths } from './hotline-api.d.ts';

/**
 * A typed client for agencies' own systems: every path, parameter, body and answer of the Hotline API
 * as TypeScript types generated from its OpenAPI document (hotline-api.d.ts), calls made by
 * openapi-fetch. `token` is a staff access token (its scope names the role).
 *
 *   const hotline = hotlineClient({ baseUrl: 'https://api.example.city', token });
 *   const { data, error } = await hotline.GET('/orders/{id}', { params: { path: { id } } });
 */
export type { components, paths } from './hotline-api.d.ts';

export const hotlineClient = (options: { baseUrl: string; token?: string; fetch?: typeof fetch }) =>
  createClient<paths>({
    baseUrl: options.baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
  });

export type HotlineClient = ReturnType<typeof hotlineClient>;
