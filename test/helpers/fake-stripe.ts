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

export interface FakeStripe {
  port: number;
  /** A Stripe SDK instance configured to talk to this fake (apiKey 'sk_test_fake', host 127.0.0.1, port, protocol http, maxNetworkRetries 0). */
  client(): Stripe;
  customers: Map<string, { id: string; email?: string | null; name?: string | null; metadata: Record<string, string> }>;
  paymentIntents: Map<string, FakePaymentIntent>;
  setupIntents: Map<string, { id: string; customer: string; client_secret: string; status: string; usage: string }>;
  /** Every request received, for assertions: method, path, idempotency key, parsed form body. */
  requests: Array<{ method: string; path: string; idempotencyKey: string | null; body: Record<string, unknown> }>;
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
  const requests: FakeStripe['requests'] = [];
  const created = new Map<string, number>();
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
      invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
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
        const setupIntent = {
          id: seti,
          customer,
          client_secret: `${seti}_secret_${randomToken()}`,
          status: 'requires_payment_method',
          usage: str(body.usage) ?? 'off_session',
        };
        setupIntents.set(seti, setupIntent);
        // SDK v23 removed `payment_method_types` from create params in favour of `allowed_payment_method_types`; accept both.
        const allowed = body.allowed_payment_method_types ?? body.payment_method_types;
        return ok({
          ...setupIntent,
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
          payment_method: null,
          payment_method_configuration_details: null,
          payment_method_options: {},
          payment_method_types: Array.isArray(allowed) ? allowed : ['card'],
          single_use_mandate: null,
        });
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
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const idempotencyKey = header(req, 'idempotency-key');
    const body = parseForm(raw);
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
