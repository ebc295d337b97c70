import { json, withoutBody } from '#shared/platform/http.ts';

/** Liveness: answers without touching any dependency, so it says the function runs, nothing more. */
export const handler = withoutBody(async () => json(200, { status: 'ok', service: 'hotline' }));
