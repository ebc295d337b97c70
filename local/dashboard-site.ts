import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildDashboard, type DashboardFile, pageFiles } from '../dashboard/build.ts';
import { contentSecurityPolicy, referrerPolicy } from '../dashboard/security-headers.ts';

/**
 * The dashboard on the local stack, at /dashboard/: built in memory from dashboard/src on the first
 * request (esbuild, about a second) and served from there, with the config.json that points the page
 * at this server and its local sign-in. Only the built files exist: a path is looked up by its exact
 * name, so no request can reach the file system (`..` and encoded variants find nothing).
 */
export const DASHBOARD_PREFIX = '/dashboard';

const contentTypes: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
};

const baseHeaders = {
  'content-security-policy': contentSecurityPolicy([]),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': referrerPolicy,
};

/** Host headers the page may be reached by locally; anything else gets the stack's own URL. */
const LOCAL_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

export interface DashboardSite {
  /** Answers a request whose path starts with /dashboard. */
  serve(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export const createDashboardSite = (options: {
  /** The stack's own URL (http://localhost:<port>), used when the Host header is not a local one. */
  readonly url: () => string;
  readonly build?: () => Promise<readonly DashboardFile[]>;
}): DashboardSite => {
  const build = options.build ?? (() => buildDashboard());
  let files: Promise<ReadonlyMap<string, Uint8Array>> | undefined;
  const site = () => {
    files ??= build().then((built) => new Map(built.map((f) => [f.path, f.contents])));
    // A failed build is tried again on the next request (after the sources are fixed).
    files.catch(() => {
      files = undefined;
    });
    return files;
  };

  const send = (res: ServerResponse, status: number, type: string, body: string | Uint8Array, extra = {}) => {
    res.writeHead(status, { ...baseHeaders, 'content-type': type, ...extra });
    res.end(body);
  };

  return {
    serve: async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return send(res, 405, 'text/plain; charset=utf-8', 'Method Not Allowed', { allow: 'GET, HEAD' });
      if (url.pathname === DASHBOARD_PREFIX) {
        res.writeHead(301, { location: `${DASHBOARD_PREFIX}/${url.search}` });
        return void res.end();
      }
      const name = url.pathname.slice(DASHBOARD_PREFIX.length + 1) || 'index.html';
      if (name === 'config.json') {
        const host = req.headers.host ?? '';
        const apiUrl = LOCAL_HOST.test(host) ? `http://${host}` : options.url();
        return send(res, 200, contentTypes.json as string, JSON.stringify({ apiUrl, auth: 'local' }), {
          'cache-control': 'no-store',
        });
      }
      let built: ReadonlyMap<string, Uint8Array>;
      try {
        built = await site();
      } catch (error) {
        return send(
          res,
          500,
          'text/plain; charset=utf-8',
          `The dashboard did not build:\n${(error as Error).message}`,
        );
      }
      const body = built.get(name);
      if (!body) return send(res, 404, 'text/plain; charset=utf-8', 'Not Found');
      const type = contentTypes[name.split('.').pop() ?? ''] ?? 'application/octet-stream';
      // Script and stylesheet names carry their hash: keep them; the page itself is always asked again.
      const cache = pageFiles.includes(name) ? 'no-cache' : 'public, max-age=31536000, immutable';
      res.writeHead(200, {
        ...baseHeaders,
        'content-type': type,
        'cache-control': cache,
        'content-length': body.length,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
};
