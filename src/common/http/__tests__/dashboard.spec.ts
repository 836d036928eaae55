import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { dashboardDistDir, mountDashboard } from '../dashboard';

/** An express app with the dashboard mounted after an API route, listening on a free loopback port. */
async function serve(distDir: string): Promise<{ base: string; server: Server }> {
  const app = express();
  app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
  mountDashboard(app, distDir);
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('mountDashboard', () => {
  const dist = mkdtempSync(join(tmpdir(), 'meterly-dashboard-'));
  let built: { base: string; server: Server };
  let unbuilt: { base: string; server: Server };

  beforeAll(async () => {
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>dashboard</title>');
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    [built, unbuilt] = await Promise.all([serve(dist), serve(join(dist, 'missing'))]);
  });
  afterAll(async () => {
    await Promise.all([built, unbuilt].map(({ server }) => new Promise((resolve) => server.close(resolve))));
    rmSync(dist, { recursive: true, force: true });
  });

  const get = (path: string, accept = 'text/html', base = built.base) => fetch(`${base}${path}`, { headers: { accept } });

  it('serves index.html at / to be revalidated, with a strict content security policy', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>dashboard</title>');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('caches hashed assets for a year', async () => {
    const res = await get('/assets/index-abc123.js', '*/*');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('answers deep links with the page, but not API paths, missing files or non-HTML requests', async () => {
    const deep = await get('/alerts/recent');
    expect(deep.status).toBe(200);
    expect(deep.headers.get('cache-control')).toBe('no-cache');
    for (const path of ['/graphql', '/metrics', '/invoices/1/pdf', '/webhooks/stripe', '/assets/gone.js']) {
      expect([path, (await get(path)).status]).toEqual([path, 404]);
    }
    expect((await get('/somewhere', 'application/json')).status).toBe(404);
    expect(await (await get('/healthz')).json()).toEqual({ status: 'ok' });
  });

  it('says clearly, with a 503, when the dashboard has not been built', async () => {
    const res = await get('/', 'text/html', unbuilt.base);
    expect(res.status).toBe(503);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toContain('npm run build:web');
  });

  it('finds web/dist at the root of the checkout, from src/ or from dist/src/', () => {
    const root = join(__dirname, '..', '..', '..', '..');
    expect(dashboardDistDir()).toBe(join(root, 'web', 'dist'));
    expect(dashboardDistDir(join(root, 'dist', 'src', 'common', 'http'))).toBe(join(root, 'web', 'dist'));
  });
});
