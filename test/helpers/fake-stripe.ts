/**
 * A local stand-in for the parts of Stripe's API Meterly calls, answered in Stripe's shapes for the real SDK. One file
 * on purpose (over the usual length): one route table and the object shapes it answers with, read together.
 */
import { randomBytes } from 'node:crypto';
import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export interface FakePaymentIntent {
  id: string;
  amount: number;
  currency: string;
  customer: string | null;
  payment_method: string | null;
  status: 'succeeded' | 'requires_payment_method' | 'requires_confirmation';
  metadata: Record<string, string>;
  client_secret: string;
  last_payment_error: { code: string; message: string } | null;
}

export interface FakePaymentMethod {
  id: string;
  type: 'card' | 'us_bank_account';
  customer: string | null;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  bankName: string;
}

export interface FakeInvoice {
  id: string;
  customer: string;
  currency: string;
  status: 'draft' | 'open' | 'paid';
  collection_method: string;
  days_until_due: number | null;
  auto_advance: boolean;
  description: string | null;
  metadata: Record<string, string>;
  payment_settings: Record<string, unknown>;
  items: Array<{ id: string; amount: number; description: string | null }>;
  number: string | null;
  hosted_invoice_url: string | null;
  amount_paid: number;
}

export interface FakeStripe {
  port: number;
  /** A Stripe SDK instance configured to talk to this fake (apiKey 'sk_test_fake', host 127.0.0.1, port, protocol http, maxNetworkRetries 0). */
  client(): Stripe;
  customers: Map<
    string,
    { id: string; email?: string | null; name?: string | null; metadata: Record<string, string>; defaultPaymentMethod?: string | null }
  >;
  paymentMethods: Map<string, FakePaymentMethod>;
  invoices: Map<string, FakeInvoice>;
  paymentIntents: Map<string, FakePaymentIntent>;
  setupIntents: Map<
    string,
    { id: string; customer: string; client_secret: string; status: string; usage: string; types: string[]; payment_method: string | null }
  >;
  /** Every request received, for assertions: method, path, idempotency key, parsed form body. */
  requests: Array<{ method: string; path: string; idempotencyKey: string | null; body: Record<string, unknown> }>;
  /**
   * What Stripe.js does when the customer completes a SetupIntent: a PaymentMethod of the intent's first allowed
   * type, attached to its customer; the intent succeeds. Returns the PaymentMethod's id.
   */
  completeSetup(
    setupIntentId: string,
    details?: Partial<Pick<FakePaymentMethod, 'brand' | 'last4' | 'expMonth' | 'expYear' | 'bankName'>>,
  ): string;
  /** The customer's bank transfer reached its balance and Stripe applied it to this invoice: the invoice as `invoice.paid` sends it. */
  payByBankTransfer(invoiceId: string): Record<string, unknown>;
  /** Make the next PaymentIntent confirmations for this payment method fail with a card_declined error (count times), then succeed. */
  failNextPayments(paymentMethodId: string, count?: number): void;
  close(): Promise<void>;
}

/** Status and already-serialized body, so an idempotent replay is byte-for-byte the first answer. */
interface Reply {
  status: number;
  json: string;
}

const API_KEY = 'sk_test_fake';

export async function startFakeStripe(): Promise<FakeStripe> {
  const customers: FakeStripe['customers'] = new Map();
  const paymentIntents: FakeStripe['paymentIntents'] = new Map();
  const setupIntents: FakeStripe['setupIntents'] = new Map();
  const paymentMethods: FakeStripe['paymentMethods'] = new Map();
  const invoices: FakeStripe['invoices'] = new Map();
  const requests: FakeStripe['requests'] = [];
  const created = new Map<string, number>();
  /** Creation order, to list objects made in the same second newest first as Stripe does. */
  const order: string[] = [];
  const failures = new Map<string, number>();
  const idempotent = new Map<string, { fingerprint: string; reply: Reply }>();

  const remember = (id: string): string => {
    created.set(id, Math.floor(Date.now() / 1000));
    return id;
  };

  const customerJson = (id: string) => {
    const customer = customers.get(id);
    if (!customer) return null;
    return {
      id,
      object: 'customer',
      address: null,
      balance: 0,
      created: created.get(id) ?? 0,
      currency: null,
      default_source: null,
      delinquent: false,
      description: null,
      email: customer.email ?? null,
      invoice_prefix: id.slice(4, 12).toUpperCase(),
      invoice_settings: {
        custom_fields: null,
        default_payment_method: customer.defaultPaymentMethod ?? null,
        footer: null,
        rendering_options: null,
      },
      livemode: false,
      metadata: customer.metadata,
      name: customer.name ?? null,
      phone: null,
      preferred_locales: [],
      shipping: null,
      tax_exempt: 'none',
      test_clock: null,
    };
  };

  const paymentMethodJson = (pm: FakePaymentMethod) => ({
    id: pm.id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: null,
      name: null,
      phone: null,
      tax_id: null,
    },
    created: created.get(pm.id) ?? 0,
    customer: pm.customer,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: pm.type,
    ...(pm.type === 'card'
      ? {
          card: {
            brand: pm.brand,
            checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
            country: 'US',
            display_brand: pm.brand,
            exp_month: pm.expMonth,
            exp_year: pm.expYear,
            fingerprint: `fp${pm.id.slice(3, 15)}`,
            funding: 'credit',
            generated_from: null,
            last4: pm.last4,
            networks: { available: [pm.brand], preferred: null },
            regulated_status: 'unregulated',
            three_d_secure_usage: { supported: true },
            wallet: null,
          },
        }
      : {
          us_bank_account: {
            account_holder_type: 'company',
            account_type: 'checking',
            bank_name: pm.bankName,
            financial_connections_account: null,
            fingerprint: `fp${pm.id.slice(3, 15)}`,
            last4: pm.last4,
            networks: { preferred: 'ach', supported: ['ach'] },
            routing_number: '110000000',
            status_details: {},
          },
        }),
  });

  const invoiceJson = (inv: FakeInvoice) => {
    const total = inv.items.reduce((sum, item) => sum + item.amount, 0);
    const finalizedAt = created.get(`${inv.id}/finalized`) ?? null;
    return {
      id: inv.id,
      object: 'invoice',
      account_country: 'US',
      account_name: 'Meterly test account',
      amount_due: total,
      amount_overpaid: 0,
      amount_paid: inv.amount_paid,
      amount_remaining: total - inv.amount_paid,
      amount_shipping: 0,
      attempt_count: 0,
      attempted: false,
      auto_advance: inv.auto_advance,
      billing_reason: 'manual',
      collection_method: inv.collection_method,
      created: created.get(inv.id) ?? 0,
      currency: inv.currency,
      customer: inv.customer,
      description: inv.description,
      due_date: finalizedAt !== null && inv.days_until_due !== null ? finalizedAt + inv.days_until_due * 86400 : null,
      hosted_invoice_url: inv.hosted_invoice_url,
      invoice_pdf: inv.hosted_invoice_url && `${inv.hosted_invoice_url}/pdf`,
      lines: {
        object: 'list',
        data: inv.items.map((item) => ({
          id: `il_${item.id.slice(3)}`,
          object: 'line_item',
          amount: item.amount,
          currency: inv.currency,
          description: item.description,
        })),
        has_more: false,
        url: `/v1/invoices/${inv.id}/lines`,
      },
      livemode: false,
      metadata: inv.metadata,
      number: inv.number,
      payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null, ...inv.payment_settings },
      status: inv.status,
      status_transitions: { finalized_at: finalizedAt, marked_uncollectible_at: null, paid_at: null, voided_at: null },
      subtotal: total,
      total,
    };
  };

  /** Stripe opens one virtual account per customer for its balance: the same numbers every time it is asked. */
  const fundingInstructionsJson = (customer: string, currency: string) => {
    const digits = [...customer]
      .reduce((n, c) => (n * 31 + c.charCodeAt(0)) % 1e8, 7)
      .toString()
      .padStart(8, '0');
    const address = {
      city: 'San Francisco',
      country: 'US',
      line1: '354 Oyster Point Blvd',
      line2: null,
      postal_code: '94080',
      state: 'CA',
    };
    return {
      object: 'funding_instructions',
      bank_transfer: {
        country: 'US',
        financial_addresses: [
          {
            type: 'aba',
            aba: {
              account_holder_address: address,
              account_holder_name: 'Meterly test account',
              account_number: `1111${digits}`,
              account_type: 'checking',
              bank_address: address,
              bank_name: 'STRIPE TEST BANK',
              routing_number: '999999999',
            },
            supported_networks: ['ach', 'domestic_wire_us'],
          },
          {
            type: 'swift',
            swift: {
              account_holder_address: address,
              account_holder_name: 'Meterly test account',
              account_number: `1111${digits}`,
              account_type: 'checking',
              bank_address: address,
              bank_name: 'STRIPE TEST BANK',
              swift_code: 'TSTEZ122',
            },
            supported_networks: ['swift'],
          },
        ],
        type: 'us_bank_transfer',
      },
      currency,
      funding_type: 'bank_transfer',
      livemode: false,
    };
  };

  const paymentIntentJson = (pi: FakePaymentIntent) => ({
    id: pi.id,
    object: 'payment_intent',
    allowed_payment_method_types: null,
    amount: pi.amount,
    amount_capturable: 0,
    amount_received: pi.status === 'succeeded' ? pi.amount : 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic_async',
    client_secret: pi.client_secret,
    confirmation_method: 'automatic',
    created: created.get(pi.id) ?? 0,
    currency: pi.currency,
    customer: pi.customer,
    customer_account: null,
    description: null,
    excluded_payment_method_types: null,
    last_payment_error: pi.last_payment_error && {
      type: 'card_error',
      ...(pi.last_payment_error.code === 'card_declined' ? { decline_code: 'generic_decline' } : {}),
      ...pi.last_payment_error,
      payment_method: pi.payment_method ? { id: pi.payment_method, object: 'payment_method', type: 'card' } : null,
    },
    latest_charge: null,
    livemode: false,
    metadata: pi.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: pi.payment_method,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: ['card'],
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: pi.status,
    transfer_data: null,
    transfer_group: null,
  });

  const confirm = (pi: FakePaymentIntent): Reply => {
    if (!pi.payment_method) {
      return stripeError(400, {
        code: 'parameter_missing',
        param: 'payment_method',
        message: 'You cannot confirm this PaymentIntent because it’s missing a payment method.',
      });
    }
    const remaining = failures.get(pi.payment_method) ?? 0;
    if (remaining > 0) {
      failures.set(pi.payment_method, remaining - 1);
      pi.status = 'requires_payment_method';
      pi.last_payment_error = { code: 'card_declined', message: 'Your card was declined.' };
      // The SDK picks StripeCardError from the 402 status, not from error.type.
      return stripeError(402, {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'generic_decline',
        doc_url: 'https://stripe.com/docs/error-codes/card-declined',
        message: 'Your card was declined.',
        payment_intent: paymentIntentJson(pi),
        payment_method: { id: pi.payment_method, object: 'payment_method', type: 'card' },
      });
    }
    pi.status = 'succeeded';
    pi.last_payment_error = null;
    return ok(paymentIntentJson(pi));
  };

  const route = (method: string, path: string, body: Record<string, unknown>): Reply => {
    const [, resource, id, action] = path.match(/^\/v1\/([a-z_]+)(?:\/([^/]+))?(?:\/([a-z_]+))?$/) ?? [];
    const endpoint = `${method} ${resource ?? ''}${id ? '/:id' : ''}${action ? `/${action}` : ''}`;

    switch (endpoint) {
      case 'POST customers': {
        const customer = { id: remember(newId('cus')), email: str(body.email), name: str(body.name), metadata: metadataOf(body) };
        customers.set(customer.id, customer);
        return ok(customerJson(customer.id));
      }
      case 'GET customers/:id': {
        const customer = customerJson(id ?? '');
        return customer ? ok(customer) : noSuch('customer', id ?? '', 404, 'id');
      }
      case 'POST setup_intents': {
        const customer = str(body.customer);
        if (!customer)
          return stripeError(400, { code: 'parameter_missing', param: 'customer', message: 'Missing required param: customer.' });
        if (!customers.has(customer)) return noSuch('customer', customer, 400, 'customer');
        const seti = remember(newId('seti'));
        // SDK v23 removed `payment_method_types` from create params in favour of `allowed_payment_method_types`; accept both.
        const allowed = body.allowed_payment_method_types ?? body.payment_method_types;
        const setupIntent = {
          id: seti,
          customer,
          client_secret: `${seti}_secret_${randomToken()}`,
          status: 'requires_payment_method',
          usage: str(body.usage) ?? 'off_session',
          types: Array.isArray(allowed) ? allowed.map(String) : ['card'],
          payment_method: null,
        };
        setupIntents.set(seti, setupIntent);
        return ok({
          id: seti,
          customer,
          client_secret: setupIntent.client_secret,
          status: setupIntent.status,
          usage: setupIntent.usage,
          payment_method: setupIntent.payment_method,
          object: 'setup_intent',
          allowed_payment_method_types: Array.isArray(allowed) ? allowed : null,
          application: null,
          automatic_payment_methods: null,
          cancellation_reason: null,
          created: created.get(seti),
          customer_account: null,
          description: null,
          excluded_payment_method_types: null,
          flow_directions: null,
          last_setup_error: null,
          latest_attempt: null,
          livemode: false,
          mandate: null,
          metadata: metadataOf(body),
          next_action: null,
          on_behalf_of: null,
          payment_method_configuration_details: null,
          payment_method_options: {},
          payment_method_types: Array.isArray(allowed) ? allowed : ['card'],
          single_use_mandate: null,
        });
      }
      case 'POST customers/:id': {
        const customer = customers.get(id ?? '');
        if (!customer) return noSuch('customer', id ?? '', 404, 'id');
        const settings = body.invoice_settings as Record<string, unknown> | undefined;
        if (settings && 'default_payment_method' in settings) {
          const pm = str(settings.default_payment_method);
          if (pm && paymentMethods.get(pm)?.customer !== customer.id)
            return stripeError(400, {
              param: 'invoice_settings[default_payment_method]',
              message: `No such PaymentMethod: '${pm}'; It's possible this PaymentMethod exists on one of your connected accounts, in which case you should retry this request on that connected account.`,
            });
          customer.defaultPaymentMethod = pm;
        }
        return ok(customerJson(customer.id));
      }
      case 'GET customers/:id/payment_methods': {
        if (!customers.has(id ?? '')) return noSuch('customer', id ?? '', 404, 'customer');
        const type = str(body.type);
        const limit = Math.min(100, Number(str(body.limit) ?? 10));
        const all = [...paymentMethods.values()]
          .filter((pm) => pm.customer === id && (!type || pm.type === type))
          .sort((a, b) => (created.get(b.id) ?? 0) - (created.get(a.id) ?? 0) || order.indexOf(b.id) - order.indexOf(a.id));
        const after = str(body.starting_after);
        const from = after ? all.findIndex((pm) => pm.id === after) + 1 : 0;
        const page = all.slice(from, from + limit);
        return ok({
          object: 'list',
          data: page.map(paymentMethodJson),
          has_more: from + limit < all.length,
          url: `/v1/customers/${id}/payment_methods`,
        });
      }
      case 'GET payment_methods/:id': {
        const pm = paymentMethods.get(id ?? '');
        return pm ? ok(paymentMethodJson(pm)) : noSuch('PaymentMethod', id ?? '', 404, 'payment_method');
      }
      case 'POST payment_methods/:id/detach': {
        const pm = paymentMethods.get(id ?? '');
        if (!pm) return noSuch('PaymentMethod', id ?? '', 404, 'payment_method');
        if (!pm.customer)
          return stripeError(400, {
            message: 'The payment method you provided is not attached to a customer so detachment is impossible.',
          });
        const owner = customers.get(pm.customer);
        // Stripe forgets a detached default: the customer has none until another is set.
        if (owner?.defaultPaymentMethod === pm.id) owner.defaultPaymentMethod = null;
        pm.customer = null;
        return ok(paymentMethodJson(pm));
      }
      case 'POST customers/:id/funding_instructions': {
        if (!customers.has(id ?? '')) return noSuch('customer', id ?? '', 404, 'customer');
        const transfer = body.bank_transfer as Record<string, unknown> | undefined;
        if (str(body.funding_type) !== 'bank_transfer' || !transfer)
          return stripeError(400, { code: 'parameter_missing', param: 'bank_transfer', message: 'Missing required param: bank_transfer.' });
        const currency = str(body.currency);
        if (transfer.type !== 'us_bank_transfer' || currency !== 'usd')
          return stripeError(400, {
            code: 'parameter_invalid_string',
            param: 'bank_transfer[type]',
            message: 'This test stand-in opens US bank transfer accounts (us_bank_transfer, usd) only.',
          });
        return ok(fundingInstructionsJson(id ?? '', currency));
      }
      case 'POST invoices': {
        const customer = str(body.customer);
        if (!customer)
          return stripeError(400, { code: 'parameter_missing', param: 'customer', message: 'Missing required param: customer.' });
        if (!customers.has(customer)) return noSuch('customer', customer, 400, 'customer');
        const collection = str(body.collection_method) ?? 'charge_automatically';
        const days = str(body.days_until_due);
        if (collection === 'send_invoice' && days === null)
          return stripeError(400, {
            param: 'days_until_due',
            message: 'Invoices with `collection_method=send_invoice` must have either `days_until_due` or `due_date` set.',
          });
        const invoice: FakeInvoice = {
          id: remember(newId('in')),
          customer,
          currency: str(body.currency) ?? 'usd',
          status: 'draft',
          collection_method: collection,
          days_until_due: days === null ? null : Number(days),
          auto_advance: body.auto_advance !== 'false',
          description: str(body.description),
          metadata: metadataOf(body),
          payment_settings: (body.payment_settings as Record<string, unknown> | undefined) ?? {},
          items: [],
          number: null,
          hosted_invoice_url: null,
          amount_paid: 0,
        };
        invoices.set(invoice.id, invoice);
        return ok(invoiceJson(invoice));
      }
      case 'GET invoices/:id': {
        const invoice = invoices.get(id ?? '');
        return invoice ? ok(invoiceJson(invoice)) : noSuch('invoice', id ?? '', 404, 'invoice');
      }
      case 'POST invoiceitems': {
        const invoice = invoices.get(str(body.invoice) ?? '');
        if (!invoice) return noSuch('invoice', str(body.invoice) ?? '', 400, 'invoice');
        if (invoice.status !== 'draft')
          return stripeError(400, {
            code: 'invoice_not_editable',
            param: 'invoice',
            message: `You can only add invoice items to draft invoices. This invoice (${invoice.id}) is ${invoice.status}.`,
          });
        const amount = str(body.amount);
        if (amount === null || !/^\d+$/.test(amount))
          return stripeError(400, { code: 'parameter_invalid_integer', param: 'amount', message: `Invalid integer: ${amount ?? ''}` });
        const item = { id: remember(newId('ii')), amount: Number(amount), description: str(body.description) };
        invoice.items.push(item);
        return ok({
          id: item.id,
          object: 'invoiceitem',
          amount: item.amount,
          currency: invoice.currency,
          customer: invoice.customer,
          date: created.get(item.id),
          description: item.description,
          discountable: true,
          invoice: invoice.id,
          livemode: false,
          metadata: metadataOf(body),
          proration: false,
        });
      }
      case 'POST invoices/:id/finalize': {
        const invoice = invoices.get(id ?? '');
        if (!invoice) return noSuch('invoice', id ?? '', 404, 'invoice');
        if (invoice.status !== 'draft')
          return stripeError(400, {
            code: 'invoice_unexpected_state',
            message: `This invoice is already finalized, you can't re-finalize a non-draft invoice.`,
          });
        invoice.status = 'open';
        invoice.number = `${invoice.customer.slice(4, 12).toUpperCase()}-${String(invoices.size).padStart(4, '0')}`;
        invoice.hosted_invoice_url = `https://invoice.stripe.com/i/acct_fake/test_${randomToken()}`;
        created.set(`${invoice.id}/finalized`, Math.floor(Date.now() / 1000));
        return ok(invoiceJson(invoice));
      }
      case 'POST payment_intents': {
        const amount = str(body.amount);
        if (amount === null || !/^\d+$/.test(amount)) {
          return stripeError(400, { code: 'parameter_invalid_integer', param: 'amount', message: `Invalid integer: ${amount ?? ''}` });
        }
        const currency = str(body.currency);
        if (!currency)
          return stripeError(400, { code: 'parameter_missing', param: 'currency', message: 'Missing required param: currency.' });
        const customer = str(body.customer);
        if (customer && !customers.has(customer)) return noSuch('customer', customer, 400, 'customer');
        const pi = remember(newId('pi'));
        const paymentMethod = str(body.payment_method);
        const paymentIntent: FakePaymentIntent = {
          id: pi,
          amount: Number(amount),
          currency: currency.toLowerCase(),
          customer,
          payment_method: paymentMethod,
          status: paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
          metadata: metadataOf(body),
          client_secret: `${pi}_secret_${randomToken()}`,
          last_payment_error: null,
        };
        paymentIntents.set(pi, paymentIntent);
        return body.confirm === 'true' ? confirm(paymentIntent) : ok(paymentIntentJson(paymentIntent));
      }
      case 'GET payment_intents/:id':
      case 'POST payment_intents/:id/confirm': {
        const pi = paymentIntents.get(id ?? '');
        if (!pi) return noSuch('payment_intent', id ?? '', 404, 'intent');
        if (method === 'GET') return ok(paymentIntentJson(pi));
        pi.payment_method = str(body.payment_method) ?? pi.payment_method;
        return confirm(pi);
      }
      default:
        return stripeError(404, {
          message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        });
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const idempotencyKey = header(req, 'idempotency-key');
    // The SDK sends a GET's parameters in the query string.
    const body = parseForm(method === 'GET' ? url.search.slice(1) : raw);
    requests.push({ method, path, idempotencyKey, body });

    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Request-Id': newId('req'),
      'Stripe-Version': header(req, 'stripe-version') ?? Stripe.API_VERSION,
    };
    let reply: Reply;
    if (header(req, 'authorization') !== `Bearer ${API_KEY}`) {
      reply = stripeError(401, { message: `Invalid API Key provided: ${header(req, 'authorization') ?? '(none)'}` });
    } else if (method === 'POST' && idempotencyKey) {
      headers['Idempotency-Key'] = idempotencyKey;
      const fingerprint = `${path}\n${raw}`;
      const previous = idempotent.get(idempotencyKey);
      if (previous && previous.fingerprint !== fingerprint) {
        reply = stripeError(400, {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
        });
      } else if (previous) {
        headers['Idempotent-Replayed'] = 'true';
        reply = previous.reply;
      } else {
        reply = route(method, path, body);
        // Like Stripe: only requests that began executing are saved; validation failures may be retried with the same key.
        if (reply.status < 400 || reply.status === 402) idempotent.set(idempotencyKey, { fingerprint, reply });
      }
    } else {
      reply = route(method, path, body);
    }
    res.writeHead(reply.status, headers).end(reply.json);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const reply = stripeError(500, { type: 'api_error', message: String(error) });
      res.writeHead(reply.status, { 'Content-Type': 'application/json' }).end(reply.json);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  // A private agent, unlike the SDK's module-wide keep-alive one, lets close() drop the client sockets too.
  const agent = new Agent({ keepAlive: true });

  return {
    port,
    customers,
    paymentIntents,
    setupIntents,
    paymentMethods,
    invoices,
    requests,
    client: () =>
      new Stripe(API_KEY, {
        host: '127.0.0.1',
        port,
        protocol: 'http',
        maxNetworkRetries: 0,
        httpAgent: agent,
        // Telemetry would write a telemetry id under ~/.config/stripe.
        telemetry: false,
      }),
    completeSetup(setupIntentId, details = {}) {
      const intent = setupIntents.get(setupIntentId);
      if (!intent) throw new Error(`No such setup intent: ${setupIntentId}`);
      const type = intent.types[0] === 'us_bank_account' ? 'us_bank_account' : 'card';
      const pm: FakePaymentMethod = {
        id: remember(newId('pm')),
        type,
        customer: intent.customer,
        brand: details.brand ?? 'visa',
        last4: details.last4 ?? (type === 'card' ? '4242' : '6789'),
        expMonth: details.expMonth ?? 12,
        expYear: details.expYear ?? 2034,
        bankName: details.bankName ?? 'STRIPE TEST BANK',
      };
      order.push(pm.id);
      paymentMethods.set(pm.id, pm);
      intent.status = 'succeeded';
      intent.payment_method = pm.id;
      return pm.id;
    },
    payByBankTransfer(invoiceId) {
      const invoice = invoices.get(invoiceId);
      if (!invoice || invoice.status !== 'open') throw new Error(`No open invoice ${invoiceId}`);
      invoice.amount_paid = invoice.items.reduce((sum, item) => sum + item.amount, 0);
      invoice.status = 'paid';
      return invoiceJson(invoice);
    },
    failNextPayments(paymentMethodId, count = 1) {
      failures.set(paymentMethodId, (failures.get(paymentMethodId) ?? 0) + count);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

/** A signed webhook request body + header, produced with the SDK's own helper (stripe.webhooks.generateTestHeaderString). */
export function signedWebhook(
  secret: string,
  event: { id: string; type: string; data: { object: Record<string, unknown> }; created?: number },
  options: { timestamp?: number } = {},
): { body: string; signature: string } {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const body = JSON.stringify(
    {
      id: event.id,
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: event.created ?? timestamp,
      data: event.data,
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: event.type,
    },
    null,
    2,
  );
  return { body, signature: Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp }) };
}

/** Posts a signed event to the server's Stripe webhook route, as Stripe does: the answer's status and JSON body. */
export async function deliverStripeEvent(
  graphqlUrl: string,
  secret: string,
  event: Parameters<typeof signedWebhook>[1],
  options: { timestamp?: number } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const { body, signature } = signedWebhook(secret, event, options);
  const res = await fetch(graphqlUrl.replace(/\/graphql$/, '/webhooks/stripe'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function ok(body: unknown): Reply {
  return { status: 200, json: JSON.stringify(body, null, 2) };
}

function stripeError(status: number, error: Record<string, unknown> & { message: string }): Reply {
  return { status, json: JSON.stringify({ error: { type: 'invalid_request_error', ...error } }, null, 2) };
}

function noSuch(objectName: string, id: string, status: number, param: string): Reply {
  return stripeError(status, {
    code: 'resource_missing',
    doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
    param,
    message: `No such ${objectName}: '${id}'`,
  });
}

function newId(prefix: string): string {
  return `${prefix}_${randomToken()}`;
}

function randomToken(): string {
  return randomBytes(12).toString('base64url').replace(/[-_]/g, 'x');
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Stripe drops metadata keys posted with an empty value. */
function metadataOf(body: Record<string, unknown>): Record<string, string> {
  const metadata = body.metadata;
  if (typeof metadata !== 'object' || metadata === null) return {};
  return Object.fromEntries(Object.entries(metadata).filter((entry): entry is [string, string] => str(entry[1]) !== null));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** `a[b][0]=x` → `{ a: { b: ['x'] } }`, the bracket encoding the SDK uses for nested params. */
function parseForm(raw: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const path = key.split('[').map((part) => part.replace(/\]$/, ''));
    let node = root;
    path.forEach((segment, i) => {
      const name = segment === '' ? String(Object.keys(node).length) : segment;
      if (i === path.length - 1) {
        node[name] = value;
        return;
      }
      const child = node[name];
      node = typeof child === 'object' && child !== null ? (child as Record<string, unknown>) : (node[name] = {});
    });
  }
  return arraysFromIndexedObjects(root) as Record<string, unknown>;
}

function arraysFromIndexedObjects(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).map(([k, v]) => [k, arraysFromIndexedObjects(v)] as const);
  const indexed = entries.length > 0 && entries.every(([k], i) => k === String(i));
  return indexed ? entries.map(([, v]) => v) : Object.fromEntries(entries);
}
