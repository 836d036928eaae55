import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseCorsOrigins } from './common/http/cors';
import { parseAllowedHosts } from './common/http/outbound-target';

export interface AppConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  adminApiKey: string | undefined;
  redisUrl: string | undefined;
  stripeSecretKey: string | undefined;
  stripeWebhookSecret: string | undefined;
  smtpUrl: string | undefined;
  logLevel: string;
  introspection: boolean;
  dataDir: string;
  embeddedPgPort: number;
  /** Server processes sharing the port (node:cluster); default one per core. */
  workers: number;
  /** A worker whose event loop does not turn for this long is replaced; 0 never replaces one. */
  workerBlockedMs: number;
  demoData: boolean;
  /** How often periods are closed and invoices collected; 0 turns the scheduler off. */
  billingIntervalSeconds: number;
  /** The address clients reach this server at, for links (invoice PDFs); default http://localhost:PORT. */
  publicUrl: string | undefined;
  alertEmailFrom: string;
  /** Sender of invoice statements and receipts. */
  billingEmailFrom: string;
  /** Twilio credentials and sender for SMS alerts; unset: the sms channel is refused. */
  sms: SmsConfig | undefined;
  /** First retry delay of a failed alert delivery; doubles on each failure. */
  alertRetryBaseMs: number;
  /** First retry delay of a failed platform event delivery; doubles on each failure, up to an hour, with jitter. */
  webhookRetryBaseMs: number;
  /** Attempts of a platform event delivery before it is FAILED. */
  webhookMaxAttempts: number;
  /** FAILED deliveries in a row that disable a webhook endpoint. */
  webhookDisableAfter: number;
  /** Hosts or IPs alert webhooks may reach though internal or plain http; none by default. */
  webhookAllowedHosts: string[];
  /** Browser origins (scheme://host[:port]) allowed to call /graphql and open websockets; none by default. */
  corsOrigins: string[];
  /** Automatic persisted queries, shared by every node (PostgreSQL, or Redis with REDIS_URL); off: each is refused. */
  persistedQueries: boolean;
  limits: QueryLimits;
  transport: TransportLimits;
}

/** Twilio's Messages API: HTTP Basic auth with the account SID and auth token. */
export interface SmsConfig {
  accountSid: string;
  authToken: string;
  /** The sender: a Twilio phone number in E.164, or a Messaging Service SID (MG…). */
  from: string;
  /** Replaces https://api.twilio.com (a local stand-in in tests); unset in production. */
  apiBaseUrl: string | undefined;
}

/** Bounds on what a client may make a server process read or hold, before and after its key is checked. */
export interface TransportLimits {
  /** Largest HTTP body or websocket message: a batch of 10,000 events, with room for ids and dimensions. */
  maxBodyBytes: number;
  /** What a websocket may send before its key is accepted: a connection_init, not a batch. */
  wsPreAuthBytes: number;
  /** Operations open at once on one websocket. */
  wsMaxSubscriptions: number;
  /** Websockets open at once with one API key, on one server process. */
  maxSocketsPerKey: number;
  /** Time a client has to send a request's headers, then the whole request (slow-header and slow-body clients). */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxTokens: number;
}

const flag = (value: string | undefined, fallback: boolean): boolean =>
  value === undefined || value === '' ? fallback : !['0', 'false', 'no', 'off'].includes(value.toLowerCase());

const int = (value: string | undefined, fallback: number): number => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`Expected a non-negative integer, got "${value}"`);
  return n;
};

/** Reads the environment once; every variable is optional (README: Configuration). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return {
    port: int(env.PORT, 4000),
    host: env.HOST || '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    adminApiKey: env.ADMIN_API_KEY || undefined,
    redisUrl: env.REDIS_URL || undefined,
    stripeSecretKey: env.STRIPE_SECRET_KEY || undefined,
    stripeWebhookSecret: env.STRIPE_WEBHOOK_SECRET || undefined,
    smtpUrl: env.SMTP_URL || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    introspection: flag(env.GRAPHQL_INTROSPECTION, true),
    dataDir: resolve(env.DATA_DIR || '.data'),
    embeddedPgPort: int(env.EMBEDDED_PG_PORT, 54329),
    workers: Math.max(1, int(env.WORKERS, availableParallelism())),
    workerBlockedMs: int(env.WORKER_BLOCKED_MS, 5000),
    demoData: flag(env.DEMO_DATA, true),
    billingIntervalSeconds: int(env.BILLING_INTERVAL_SECONDS, 60),
    alertEmailFrom: env.ALERT_EMAIL_FROM || 'Meterly <alerts@meterly.local>',
    billingEmailFrom: env.BILLING_EMAIL_FROM || 'Meterly <bills@meterly.local>',
    sms: smsConfig(env),
    alertRetryBaseMs: int(env.ALERT_RETRY_BASE_MS, 1000),
    webhookRetryBaseMs: int(env.WEBHOOK_RETRY_BASE_MS, 1000),
    webhookMaxAttempts: Math.max(1, int(env.WEBHOOK_MAX_ATTEMPTS, 12)),
    webhookDisableAfter: Math.max(1, int(env.WEBHOOK_DISABLE_AFTER, 5)),
    webhookAllowedHosts: parseAllowedHosts(env.WEBHOOK_ALLOWED_HOSTS),
    corsOrigins: parseCorsOrigins(env.CORS_ORIGINS),
    persistedQueries: flag(env.PERSISTED_QUERIES, true),
    publicUrl: env.PUBLIC_URL?.replace(/\/$/, '') || undefined,
    limits: {
      maxDepth: int(env.GRAPHQL_MAX_DEPTH, 10),
      maxAliases: int(env.GRAPHQL_MAX_ALIASES, 15),
      maxCost: int(env.GRAPHQL_MAX_COST, 5000),
      maxTokens: int(env.GRAPHQL_MAX_TOKENS, 2000),
    },
    transport: transportLimits(env),
  };
}

/** All three of SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM, or none: half a configuration is a mistake to report at start. */
function smsConfig(env: NodeJS.ProcessEnv): SmsConfig | undefined {
  const [accountSid, authToken, from] = [env.SMS_ACCOUNT_SID, env.SMS_AUTH_TOKEN, env.SMS_FROM].map((v) => v || undefined);
  if (!accountSid && !authToken && !from) return undefined;
  if (!accountSid || !authToken || !from) throw new Error('SMS alerts need all of SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM');
  // The Twilio SDK refuses any other account SID when it is constructed.
  if (!accountSid.startsWith('AC')) throw new Error('SMS_ACCOUNT_SID must be a Twilio account SID (AC…)');
  return { accountSid, authToken, from, apiBaseUrl: env.SMS_API_BASE_URL?.replace(/\/$/, '') || undefined };
}

function transportLimits(env: NodeJS.ProcessEnv): TransportLimits {
  const limits: TransportLimits = {
    maxBodyBytes: int(env.MAX_BODY_BYTES, 10 * 1024 * 1024),
    wsPreAuthBytes: int(env.WS_PRE_AUTH_BYTES, 64 * 1024),
    wsMaxSubscriptions: int(env.WS_MAX_SUBSCRIPTIONS, 100),
    maxSocketsPerKey: int(env.MAX_SOCKETS_PER_KEY, 1000),
    headersTimeoutMs: int(env.HEADERS_TIMEOUT_MS, 10_000),
    requestTimeoutMs: int(env.REQUEST_TIMEOUT_MS, 60_000),
  };
  // node:http refuses a headers timeout longer than the request's.
  if (limits.requestTimeoutMs > 0 && limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new Error('HEADERS_TIMEOUT_MS may not exceed REQUEST_TIMEOUT_MS');
  }
  return limits;
}
