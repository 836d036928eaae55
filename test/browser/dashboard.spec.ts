import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { dashboardDistDir } from '../../src/common/http/dashboard';
import {
  AdvanceTestClockDocument,
  AlertsDocument,
  CostBreakdownDocument,
  CreatePlanDocument,
  CreateWebhookEndpointDocument,
  ForecastDocument,
  MarkInvoicePaidDocument,
  SetFeatureOverrideDocument,
  SpendControlsDocument,
  PlanChangeRequestsDocument,
  RejectPlanChangeRequestDocument,
} from '../generated/graphql';
import { createApiKey } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { at, planWithOrganization, record } from '../helpers/usage-fixtures';

// The few browser globals that the callbacks run inside the page use: this program is typed for Node, without the DOM.
interface PageElement {
  id: string;
  tagName: string;
  textContent: string | null;
  outerHTML: string;
  labels?: { length: number } | null;
  getAttribute(name: string): string | null;
}
declare const document: {
  activeElement: PageElement | null;
  querySelector(selectors: string): PageElement | null;
  querySelectorAll(selectors: string): Iterable<PageElement>;
};
declare const window: { sameDocument?: boolean };
/** A platform endpoint nothing answers: its deliveries show whatever state they reached. */
const HOOK_URL = 'https://hooks.example.com/dashboard';
declare const sessionStorage: { length: number };
declare const localStorage: { length: number };

/** Debian's Chromium (`apt-get install chromium`), driven by playwright-core: no browser is downloaded. */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'artifacts');
const chromiumInstalled = existsSync(CHROMIUM);
if (!chromiumInstalled) console.warn('dashboard browser test NOT run: Chromium is not installed (apt-get install chromium)');

const usd = (amount: string) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(amount as Intl.StringNumericLiteral);

(chromiumInstalled ? describe : describe.skip)('the dashboard, in Chromium', () => {
  let t: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let org: string;
  let key: string;
  const pageProblems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(dashboardDistDir(), 'index.html')))
      throw new Error('web/dist is missing: run `npm run build:web` (npm test does)');
    mkdirSync(ARTIFACTS, { recursive: true });
    [t, browser] = await Promise.all([
      startTestServer(),
      chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--no-first-run',
          '--disable-sync',
          '--disable-component-update',
          '--disable-quic',
        ],
      }),
    ]);
    org = await planWithOrganization(
      t.admin,
      [
        { code: 'api_calls', unit: 'call', aggregation: 'SUM' },
        { code: 'ai_tokens', unit: 'token', aggregation: 'SUM' },
      ],
      {
        code: 'team_pro',
        name: 'Team Pro',
        currency: 'USD',
        basePrice: '49',
        monthlyBudget: '1000',
        charges: [
          // Default rules fire at 80, 95 and 100 % of a limit: 100 calls makes them easy to cross.
          { metric: 'api_calls', model: 'PER_UNIT', unitPrice: '0.5', included: '10', limit: '100' },
          {
            metric: 'ai_tokens',
            model: 'PER_UNIT',
            limit: '20000000',
            dimensionPrices: [
              { dimensions: { model: 'gpt-4' }, unitPrice: '0.00003' },
              { dimensions: { model: 'claude-3-haiku' }, unitPrice: '0.000002' },
            ],
          },
        ],
      },
    );
    await t.admin.data(CreatePlanDocument, {
      input: {
        code: 'team_max',
        name: 'Team Max',
        currency: 'USD',
        basePrice: '199',
        charges: [
          { metric: 'api_calls', model: 'PER_UNIT', unitPrice: '0.2', included: '1000', limit: '10000' },
          { metric: 'ai_tokens', model: 'PER_UNIT', unitPrice: '0.00001' },
        ],
      },
    });
    // Two weeks of token usage by team, project and model, so costs and the forecast have history.
    const teams = ['engineering', 'research', 'support'];
    await record(
      t.admin,
      org,
      Array.from({ length: 14 * teams.length }, (_, i) => {
        const day = Math.floor(i / teams.length);
        return {
          id: `history-${i}`,
          metric: 'ai_tokens',
          // A rising trend with a deterministic wobble, so the forecast's intervals have some width.
          quantity: String(100_000 + day * 5_000 + (i % teams.length) * 40_000 + ((day * 7_919) % 11) * 6_000),
          team: teams[i % teams.length],
          project: i % 2 ? 'project_a' : 'project_b',
          dimensions: { model: i % 3 ? 'gpt-4' : 'claude-3-haiku' },
          timestamp: new Date(Date.UTC(2026, 1, 24 + day, 12)).toISOString(),
        };
      }),
    );
    key = await createApiKey(t.admin, org, 'TENANT_ADMIN');
    // Reduced motion: bars and charts are drawn at their final size at once, so screenshots show the numbers tested.
    context = await browser.newContext({
      locale: 'en-US',
      timezoneId: 'UTC',
      reducedMotion: 'reduce',
      viewport: { width: 1280, height: 900 },
    });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => pageProblems.push(`page error: ${err.message}`));
    page.on('console', (message) => message.type() === 'error' && pageProblems.push(`console: ${message.text()}`));
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const base = () => t.server.url.replace(/\/graphql$/, '');
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true });
  const callsBar = () => page.locator('tr[data-metric="api_calls"] [role="progressbar"]');
  const waitForAttribute = (selector: string, name: string, value: string) =>
    page.waitForFunction(([s, n, v]) => document.querySelector(s)?.getAttribute(n) === v, [selector, name, value] as const);
  /** Opens a page of the dashboard from the keyboard: focus its link in the navigation, press Enter. */
  const open = async (name: string) => {
    await page
      .getByRole('navigation', { name: 'Dashboard pages' })
      .getByRole('link', { name: new RegExp(`^${name}`) })
      .focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (title) => document.activeElement?.tagName === 'H1' && document.activeElement.textContent?.startsWith(title),
      name,
    );
  };

  it('serves the page at / with its bundle, long-cached, and keeps API paths out of its fallback', async () => {
    const index = await fetch(`${base()}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await index.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${base()}${script}`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // A deep link gets the page; a missing asset and the API's own paths do not.
    expect((await fetch(`${base()}/some/page`, { headers: { accept: 'text/html' } })).status).toBe(200);
    expect((await fetch(`${base()}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base()}/invoices/nope`, { headers: { accept: 'text/html' } })).status).toBe(404);
    expect((await fetch(`${base()}/healthz`)).headers.get('content-type')).toContain('application/json');
  });

  it('signs in, moves the usage bar live, shows and acknowledges alerts, charts costs and the forecast, opens an invoice PDF', async () => {
    await page.goto(`${base()}/`);
    await page.getByLabel('API key').fill('mtr_not_a_key');
    await page.keyboard.press('Enter');
    await page.getByText('That API key was not accepted.').waitFor();
    pageProblems.length = 0; // the refused key's 401, logged by the browser, was the point of that step
    await page.getByLabel('API key').fill(key);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Usage this period' }).waitFor();
    expect(await page.evaluate(() => [sessionStorage.length, localStorage.length])).toEqual([1, 0]);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await waitForAttribute('tr[data-metric="api_calls"] [role="progressbar"]', 'aria-valuenow', '0');
    expect(await page.locator('#alert-badge').isVisible()).toBe(false); // nothing to acknowledge yet
    // Marks this document: it must still be the same one after the live updates (no reload).
    await page.evaluate(() => (window.sameDocument = true));

    // Usage recorded through the API moves the bar and the numbers without a reload.
    await record(t.admin, org, [{ id: 'calls-1', metric: 'api_calls', quantity: '40', timestamp: at(300) }]);
    await waitForAttribute('tr[data-metric="api_calls"] [role="progressbar"]', 'aria-valuenow', '40');
    expect(await callsBar().getAttribute('aria-valuetext')).toBe('40 of 100 call (40 %)');
    expect(await page.locator('tr[data-metric="api_calls"] td.num').first().textContent()).toBe('40');
    await record(t.admin, org, [{ id: 'calls-2', metric: 'api_calls', quantity: '45', timestamp: at(301) }]);
    await waitForAttribute('tr[data-metric="api_calls"] [role="progressbar"]', 'aria-valuenow', '85');
    expect(await callsBar().getAttribute('data-state')).toBe('near');
    expect(await page.locator('tr[data-metric="api_calls"] td.num').first().textContent()).toBe('85');
    await page.locator('#alert-badge').filter({ hasText: '1' }).waitFor();
    await shot('usage');

    // The 80 % alert arrived while another page was open; the 95 % one arrives while the feed is open.
    await open('Alerts');
    const warning = page.locator('li.alert[data-severity="WARNING"]');
    await warning.filter({ hasText: 'api_calls reached 80% of its limit' }).waitFor();
    await record(t.admin, org, [{ id: 'calls-3', metric: 'api_calls', quantity: '11', timestamp: at(302) }]);
    await page.locator('li.alert[data-severity="CRITICAL"]').filter({ hasText: 'api_calls reached 95% of its limit' }).waitFor();
    await warning.getByRole('button', { name: /^Acknowledge alert: api_calls reached 80%/ }).focus();
    await page.keyboard.press('Enter');
    await warning.getByText(/^Acknowledged /).waitFor();
    await page.locator('#alert-badge').filter({ hasText: '1' }).waitFor();
    const { alerts } = await t.admin.data(AlertsDocument, { organizationId: org, first: 10 });
    expect(alerts.edges.map((e) => [e.node.threshold, e.node.acknowledgedAt !== null])).toEqual([
      ['95', false],
      ['80', true],
    ]);
    await shot('alerts');

    // Costs by team, project and model: each chart with the same numbers in a table beside it.
    await open('Cost');
    const { costBreakdown } = await t.admin.data(CostBreakdownDocument, { organizationId: org, groupBy: ['team'] });
    await page
      .locator('#costs-total')
      .filter({ hasText: usd(costBreakdown.total.amount) })
      .waitFor();
    const byTeam = page.getByRole('figure', { name: 'Cost by team' });
    for (const row of costBreakdown.rows) {
      const label = (row.group as { team: string | null }).team ?? '(no team)';
      await byTeam
        .getByRole('row', { name: new RegExp(`^${label.replace(/[()]/g, '\\$&')} `) })
        .getByText(usd(row.cost.amount))
        .waitFor();
    }
    for (const name of ['Cost by team', 'Cost by project', 'Cost by model']) {
      const figure = page.getByRole('figure', { name });
      await expect(figure.getByRole('img').getAttribute('aria-label')).resolves.toContain('the same numbers are in the table');
      expect(await figure.locator('tbody tr').count()).toBeGreaterThan(1);
    }
    await shot('costs');

    // The forecast and its 80 % and 95 % intervals, as the API gives them.
    await open('Forecast');
    const { forecast } = await t.admin.data(ForecastDocument, { organizationId: org });
    const forecastTable = page.getByRole('figure', { name: 'Cost forecast' }).locator('table');
    await forecastTable
      .getByRole('row', { name: /Next period, 80 % interval/ })
      .getByText(`${usd(forecast.low80.amount)} – ${usd(forecast.high80.amount)}`)
      .waitFor();
    await forecastTable
      .getByRole('row', { name: /Next period, 95 % interval/ })
      .getByText(`${usd(forecast.low95.amount)} – ${usd(forecast.high95.amount)}`)
      .waitFor();
    await shot('forecast');

    // What the plan allows, a withdrawn feature explained in words, and every plan with the next bill it would bring.
    await t.admin.data(SetFeatureOverrideDocument, { input: { organizationId: org, feature: 'sso', enabled: false } });
    await t.admin.data(SetFeatureOverrideDocument, {
      input: { organizationId: org, feature: 'concurrent_requests', enabled: true, config: { limit: 20 } },
    });
    await open('Plans');
    await page.locator('#plan-rows tr[data-plan="team_max"]').waitFor();
    expect(await page.locator('#plan-rows tr[data-plan="team_pro"] th').textContent()).toContain('(current');
    const allowed = async (feature: string) =>
      (await page.locator(`#entitlement-rows tr[data-feature="${feature}"]`).locator('th, td').allTextContents()).map((c) => c.trim());
    expect(await allowed('api_calls')).toEqual(['api_calls', 'Yes', '100', expect.stringMatching(/^\d/), '—']);
    expect(await allowed('ai_tokens')).toEqual(['ai_tokens', 'Yes', '20,000,000', expect.stringMatching(/^\d/), '—']);
    expect(await allowed('sso')).toEqual([
      'sso',
      'No. This is turned off for your organisation, or needs a feature your plan does not include.',
      '—',
      '—',
      '—',
    ]);
    expect(await allowed('concurrent_requests')).toEqual(['concurrent_requests', 'Yes', '—', '—', 'limit: 20']);
    await shot('plans');

    // The period closes on the test clock; the invoice appears and its PDF opens with the key. An endpoint of the
    // platform's is sent its events, which only a platform admin sees in the invoice's timeline.
    await t.admin.data(CreateWebhookEndpointDocument, { url: HOOK_URL });
    await t.admin.data(AdvanceTestClockDocument, { organizationId: org, to: '2026-04-01T00:05:00.000Z' });
    await open('Invoices');
    const march = page.locator('#invoice-rows tr').filter({ hasText: 'Mar 1, 2026 – Mar 31, 2026' });
    await march.waitFor();
    // The PDF request goes through the test on its way to the server, which shows what was sent and what came back.
    const pdfs: Array<{ authorization?: string; status: number; type?: string; head: string }> = [];
    await page.route(/\/invoices\/[^/]+\/pdf$/, async (route) => {
      const response = await route.fetch();
      const head = (await response.body()).subarray(0, 5).toString();
      pdfs.push({
        authorization: route.request().headers().authorization,
        status: response.status(),
        type: response.headers()['content-type'],
        head,
      });
      await route.fulfill({ response });
    });
    const opened = context.waitForEvent('page');
    await march.getByRole('link', { name: /^PDF of invoice / }).click();
    const tab = await opened;
    expect(pdfs).toEqual([{ authorization: `Bearer ${key}`, status: 200, type: 'application/pdf', head: '%PDF-' }]);
    // The new tab shows that file from a blob: URL (headless Chromium has no PDF viewer to look at).
    expect(tab.url()).toMatch(/^blob:http/);
    await tab.close();
    await shot('invoices');

    // Paid through the API: the invoice's timeline shows it issued, then paid, each with its time; no deliveries for a tenant.
    const [marchId] = await march.evaluate((row) => [row.getAttribute('data-invoice-id')]);
    await t.admin.data(MarkInvoicePaidDocument, { id: marchId! });
    await march.getByRole('button', { name: /^Timeline of invoice / }).click();
    const timeline = page.getByRole('list', { name: /^Timeline of invoice / });
    await timeline.locator('li[data-event="invoice.paid"]').waitFor();
    expect(await timeline.locator(':scope > li > .event').allTextContents()).toEqual(['Issued', 'Paid']);
    expect(await timeline.locator(':scope > li time').count()).toBe(2);
    expect(await timeline.locator('.deliveries').count()).toBe(0);
    await shot('invoice-timeline');

    expect(await page.evaluate(() => window.sameDocument)).toBe(true);
    expect(pageProblems).toEqual([]);
  }, 60_000);

  it('lets a platform admin key choose the organisation, and keeps key and choice for the tab only', async () => {
    const tab = await context.newPage();
    await tab.goto(`${base()}/`);
    await tab.getByLabel('API key').fill(t.adminKey);
    await tab.keyboard.press('Enter');
    await tab.getByLabel('Organisation id').fill('not-an-id');
    await tab.keyboard.press('Enter');
    await tab.getByText('No organisation has the id not-an-id.').waitFor();
    await tab.getByLabel('Organisation id').fill(org);
    await tab.keyboard.press('Enter');
    await tab.locator('tr[data-metric="api_calls"] [role="progressbar"]').waitFor();
    expect(await tab.locator('#org-name').textContent()).toBe('team_pro');
    await tab.reload();
    await tab.getByRole('button', { name: 'Switch organisation' }).waitFor();
    await tab.locator('tr[data-metric="api_calls"] [role="progressbar"]').waitFor();
    // A platform admin also sees where each event of an invoice went.
    await tab
      .getByRole('navigation', { name: 'Dashboard pages' })
      .getByRole('link', { name: /^Invoices/ })
      .click();
    const marchRow = tab.locator('#invoice-rows tr').filter({ hasText: 'Mar 1, 2026 – Mar 31, 2026' });
    await marchRow.getByRole('button', { name: /^Timeline of invoice / }).click();
    const deliveries = tab.getByRole('list', { name: 'Webhook deliveries' });
    await deliveries.first().waitFor();
    expect(await deliveries.count()).toBe(2); // issued and paid
    expect(await deliveries.first().textContent()).toContain(HOOK_URL);
    await tab.close();
    // Another tab has neither the key nor the organisation.
    const fresh = await context.newPage();
    await fresh.goto(`${base()}/`);
    await fresh.getByLabel('API key').waitFor();
    expect(await fresh.evaluate(() => sessionStorage.length)).toBe(0);
    await fresh.close();
  });

  it('starts with a skip link, and labels every control and gives every chart a table', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Invoices' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');

    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, button, a[href]')]
        .filter((el) => !el.labels?.length && !el.getAttribute('aria-label') && !el.textContent?.trim())
        .map((el) => el.outerHTML),
    );
    expect(unlabelled).toEqual([]);
    expect(await page.locator('figure canvas[role="img"]').count()).toBe(await page.locator('figure table').count());
  });
  it('shows spend controls with the spend and what is left, lets a tenant admin set them, and only shows them to a member', async () => {
    await page.reload();
    await open('Spend controls');
    await page
      .locator('#spend-summary')
      .filter({ hasText: `of ${usd('1000')} this period` })
      .waitFor();
    expect(await page.getByLabel('Monthly budget').inputValue()).toBe('1000.00');
    expect(await page.getByLabel('Alert at these percentages of the budget').inputValue()).toBe('50, 80, 95');
    await page.getByLabel('Alert at these percentages of the budget').fill('50, eighty');
    await page.getByRole('button', { name: 'Save spend controls' }).click();
    await page.getByText('Alert thresholds are whole percentages').waitFor();
    await page.getByLabel('Alert at these percentages of the budget').fill('60, 90');
    await page.getByLabel('Most a day may cost').fill('0.001');
    await page.getByRole('button', { name: 'Save spend controls' }).click();
    await page.getByText("perDayLimit has more decimals than the currency's minor unit").waitFor();
    await page.getByLabel('Most a day may cost').fill('250');
    await page.getByLabel('Pause usage that would pass the budget').check();
    await page.getByRole('button', { name: 'Save spend controls' }).click();
    await page.locator('#spend-summary').filter({ hasText: 'Usage pauses at the budget.' }).waitFor();
    expect(await page.getByLabel('Most a day may cost').inputValue()).toBe('250.00');
    const { spendControls } = await t.admin.data(SpendControlsDocument, { organizationId: org });
    // The budget was left as it was: still the plan's, not set by the form.
    expect(spendControls).toMatchObject({ autoPause: true, alertThresholds: [60, 90], perDayLimit: { amount: '250.00' } });
    await shot('spend-controls');

    const member = await context.newPage();
    await member.goto(`${base()}/#/spend`);
    await member.getByLabel('API key').fill(await createApiKey(t.admin, org, 'MEMBER'));
    await member.keyboard.press('Enter');
    await member.goto(`${base()}/#/spend`);
    await member.getByText('Only a tenant admin or a billing contact can change these.').waitFor();
    // The note shows at once; the controls once they are read.
    await member.locator('#spend-summary').filter({ hasText: 'Usage pauses at the budget.' }).waitFor();
    expect(await member.getByLabel('Most a day may cost').inputValue()).toBe('250.00');
    expect(await member.getByLabel('Most a day may cost').isDisabled()).toBe(true);
    expect(await member.getByRole('button', { name: 'Save spend controls' }).count()).toBe(0);
    await member.close();
  });

  it('lets the tenant admin request a plan change on the Plans page, and shows the platform’s answer', async () => {
    await open('Plans');
    await page.getByText('No requests yet.').waitFor();
    await page.getByLabel('Plan to ask for').selectOption('team_max');
    await page.getByRole('button', { name: 'Request plan change' }).focus();
    await page.keyboard.press('Enter');
    const row = page.locator('#plan-request-rows tr').filter({ hasText: 'Team Max' });
    await row.filter({ hasText: 'Waiting for the platform' }).waitFor();
    const { planChangeRequests } = await t.admin.data(PlanChangeRequestsDocument, { organizationId: org });
    expect(planChangeRequests.map((r) => [r.status, r.plan.code])).toEqual([['PENDING', 'team_max']]);
    await t.admin.data(RejectPlanChangeRequestDocument, { id: planChangeRequests[0]!.id, reason: 'Talk to sales first' });
    await page.getByRole('button', { name: 'Refresh plans' }).click();
    await row.filter({ hasText: 'Rejected' }).filter({ hasText: 'Talk to sales first' }).waitFor();
    await shot('plan-requests');
    expect(pageProblems).toEqual([]);
  });
});
