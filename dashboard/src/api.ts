import type { Auth } from './auth.ts';

/**
 * The API as the page uses it: GET only, with the bearer token, answers kept for the session (a
 * language switch redraws without asking again; "refresh" forgets them). Errors carry the API's
 * `{ error: { code, message } }` (or API Gateway's `{ message }`).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** 404 INSIGHT_NOT_COMPUTED: the mining has not produced this yet; not an error to show as one. */
export const isNotComputed = (error: unknown): error is ApiError =>
  error instanceof ApiError && error.status === 404 && error.code === 'INSIGHT_NOT_COMPUTED';

export type Query = Readonly<Record<string, string | undefined>>;

export interface Api {
  get<T = unknown>(path: string, query?: Query): Promise<T>;
  clear(): void;
}

const errorOf = async (response: Response): Promise<ApiError> => {
  let code = `HTTP_${response.status}`;
  let message = response.statusText;
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string }; message?: string };
    code = body.error?.code ?? code;
    message = body.error?.message ?? body.message ?? message;
  } catch {
    // not JSON
  }
  return new ApiError(response.status, code, message);
};

export const createApi = (apiUrl: string, auth: Auth): Api => {
  const cache = new Map<string, Promise<unknown>>();
  const call = async (url: string, retried = false): Promise<unknown> => {
    const { token } = await auth.session();
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (response.status === 401 && !retried) {
      auth.forget();
      return call(url, true);
    }
    if (!response.ok) throw await errorOf(response);
    return response.json();
  };
  return {
    get: <T>(path: string, query: Query = {}) => {
      const search = new URLSearchParams(
        Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
      ).toString();
      const url = `${apiUrl}${path}${search ? `?${search}` : ''}`;
      let pending = cache.get(url);
      if (!pending) {
        pending = call(url);
        // A failure is not kept: the next look asks again.
        pending.catch(() => cache.delete(url));
        cache.set(url, pending);
      }
      return pending as Promise<T>;
    },
    clear: () => cache.clear(),
  };
};
