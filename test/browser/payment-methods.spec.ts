import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { dashboardDistDir } from '../../src/common/http/dashboard';
import { CreatePaymentSetupForDocument, CreatePlanDocument } from '../generated/graphql';
import { createTenant } from '../helpers/factories';
import { deliverStripeEvent, startFakeStripe, type FakeStripe } from '../helpers/fake-stripe';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** Debian's Chromium, driven by playwright-core, as in dashboard.spec.ts. */
const CHROMIUM = '/usr/bin/chromium';
const chromiumInstalled = existsSync(CHROMIUM);
const SECRET = 'whsec_dashboard_payments';

(chromiumInstalled ? describe : describe.skip)("the dashboard's payment methods, in Chromium", () => {
  let stripe: FakeStripe;
  let t: TestServer;
  let browser: Browser;
  let page: Page;
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  const pageProblems: string[] = [];
  const methods: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(dashboardDistDir(), 'index.html')))
      throw new Error('web/dist is missing: run `npm run build:web` (npm test does)');
    stripe = await startFakeStripe();
    [t, browser] = await Promise.all([
      startTestServer({}, undefined, { client: stripe.client(), webhookSecret: SECRET }),
      chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] }),
    ]);
    await t.admin.data(CreatePlanDocument, { input: { code: 'pay_ui', name: 'Pay UI', currency: 'USD', basePrice: '10', charges: [] } });
    tenant = await createTenant(t.admin, 'pay_ui');
    // A card, then a bank account, each through its SetupIntent and Stripe's webhook (the bank account ends as the default).
    for (const [methodType, details] of [
      ['CARD', { brand: 'visa', last4: '4242', expMonth: 3, expYear: 2030 }],
      ['US_BANK_ACCOUNT', { bankName: 'STRIPE TEST BANK', last4: '6789' }],
    ] as const) {
      const { createPaymentSetup: setup } = await t.admin.data(CreatePaymentSetupForDocument, {
        organizationId: tenant.organization.id,
        methodType,
      });
      const pm = stripe.completeSetup(setup.setupIntentId, details);
      methods.push(pm);
      const event = {
        id: `evt_ui_${pm}`,
        type: 'setup_intent.succeeded',
        data: { object: { id: setup.setupIntentId, object: 'setup_intent', customer: setup.customerId, payment_method: pm } },
      };
      await deliverStripeEvent(t.server.url, SECRET, event);
    }
    const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC', reducedMotion: 'reduce' });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (err) => pageProblems.push(`page error: ${err.message}`));
    page.on('console', (message) => message.type() === 'error' && pageProblems.push(`console: ${message.text()}`));
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await stripe?.close();
  });

  const base = () => t.server.url.replace(/\/graphql$/, '');

  async function signIn(key: string) {
    await page.goto(`${base()}/`);
    await page.getByLabel('API key').fill(key);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Usage this period' }).waitFor();
  }

  it('lists the billing contact’s cards and bank accounts and removes one', async () => {
    await signIn(tenant.keys.billingContact);
    await page.getByRole('navigation', { name: 'Dashboard pages' }).getByRole('link', { name: 'Payment methods' }).click();
    await page.getByRole('heading', { name: 'Payment methods' }).waitFor();
    const rows = page.locator('#payment-method-rows tr');
    await rows.nth(1).waitFor();
    expect(await rows.allInnerTexts()).toEqual([
      expect.stringMatching(/^STRIPE TEST BANK account ending 6789\s+US bank account \(ACH\)\s+—\s+Yes\s+Remove$/),
      expect.stringMatching(/^Visa ending 4242\s+Card\s+03\/2030\s+No\s+Remove$/),
    ]);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Remove Visa ending 4242' }).click();
    await page.locator(`tr[data-payment-method="${methods[0]}"]`).waitFor({ state: 'detached' });
    expect(await rows.count()).toBe(1);
    expect(stripe.paymentMethods.get(methods[0]!)?.customer).toBeNull();
    // Declining the confirmation keeps the method.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.getByRole('button', { name: 'Remove STRIPE TEST BANK account ending 6789' }).click();
    expect(stripe.paymentMethods.get(methods[1]!)?.customer).not.toBeNull();
    expect(pageProblems).toEqual([]);
  });

  it('hides the page from members', async () => {
    // A fresh tab of a fresh context: the billing contact's key stays with its own tab.
    page = await (await browser.newContext({ locale: 'en-US', timezoneId: 'UTC' })).newPage();
    await signIn(tenant.keys.member);
    expect(await page.getByRole('link', { name: 'Payment methods' }).isVisible()).toBe(false);
  });
});
