import { existsSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import express from 'express';
import type { Response } from 'express';

/** Paths the API owns: the dashboard never answers them, not even as a fallback. */
const API_PATH = /^\/(?:graphql|healthz|metrics)(?:\/|$)|^\/(?:invoices|webhooks)\//;

/** Vite names every file under assets/ by its content hash: a changed file gets a new name. */
const HASHED_ASSET = /[\\/]assets[\\/]/;

/**
 * The page holds an API key in sessionStorage, so scripts are limited to our own bundle; the live
 * socket is same-origin ('self' covers ws: and wss: there) and PDFs are opened from blob: URLs.
 */
const PAGE_HEADERS = {
  'Cache-Control': 'no-cache',
  'Content-Security-Policy':
    "default-src 'self'; connect-src 'self'; img-src 'self' data: blob:; object-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Meterly dashboard unavailable</title></head>
<body><h1>The dashboard has not been built</h1>
<p>Run <code>npm run build:web</code> (or <code>npm start</code>, which builds it) and reload this page.
The GraphQL API at <a href="/graphql">/graphql</a> works without it.</p></body></html>
`;

/** web/dist of this checkout: found from this file, whether it runs from src/ (tests) or dist/src/ (npm start). */
export function dashboardDistDir(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'web', 'dist');
    if (dirname(dir) === dir) throw new Error(`No package.json above ${from}`);
  }
}

/**
 * Serves the built dashboard (web/dist) at `/`: hashed assets cached for a year, the page itself
 * revalidated on every load so a deploy shows at once. Unknown page paths get the page too (deep
 * links); API paths and missing files (paths with an extension) are left to the 404 handler.
 */
export function mountDashboard(app: express.Express, distDir: string): void {
  app.use(
    express.static(distDir, {
      cacheControl: false,
      setHeaders: (res: Response, path: string) => {
        if (HASHED_ASSET.test(path.slice(distDir.length))) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
        else res.set(path.endsWith('.html') ? PAGE_HEADERS : { 'Cache-Control': 'no-cache' });
      },
    }),
  );
  app.get('/{*path}', (req, res, next) => {
    if (API_PATH.test(req.path) || extname(req.path) !== '' || !req.accepts('html')) return next();
    res.sendFile('index.html', { root: distDir, headers: PAGE_HEADERS }, (err?: NodeJS.ErrnoException) => {
      if (!err) return;
      if (err.code !== 'ENOENT' || res.headersSent) return next(err);
      res.status(503).set({ 'Cache-Control': 'no-store', 'Retry-After': '60' }).type('html').send(NOT_BUILT);
    });
  });
}
