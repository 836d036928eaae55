import { createClient, type Client } from 'graphql-ws';

/** The public API, called as any customer's front end would: same origin, bearer key, no private endpoints. */

export type Role = 'PLATFORM_ADMIN' | 'TENANT_ADMIN' | 'BILLING_CONTACT' | 'MEMBER';
export type Severity = 'INFO' | 'WARNING' | 'CRITICAL';

export interface Money {
  amount: string;
  currency: string;
}

export interface MetricUsage {
  metric: string;
  unit: string;
  used: string;
  included: string | null;
  limit: string | null;
  percentage: number | null;
  cost: Money;
  nearLimit: boolean;
  blocked: boolean;
}

export interface UsageReport {
  periodStart: string;
  periodEnd: string;
  totalCost: Money;
  metrics: MetricUsage[];
}

export interface Alert {
  id: string;
  kind: string;
  severity: Severity;
  metric: string | null;
  threshold: string;
  value: string;
  message: string;
  triggeredAt: string;
  acknowledgedAt: string | null;
}

export interface Organization {
  id: string;
  name: string;
  currency: string;
}

/** A GraphQL or HTTP failure, with the API's stable `extensions.code` when it gave one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const REPORT = `periodStart periodEnd totalCost { amount currency }
  metrics { metric unit used included limit percentage cost { amount currency } nearLimit blocked }`;
const ALERT = 'id kind severity metric threshold value message triggeredAt acknowledgedAt';

export const USAGE_UPDATED = `subscription UsageUpdated($org: ID!) { usageUpdated(organizationId: $org) { ${REPORT} } }`;
export const ALERT_TRIGGERED = `subscription AlertTriggered($org: ID!) { alertTriggered(organizationId: $org) { ${ALERT} } }`;
export const ALERTS = `query Alerts($org: ID!) { alerts(organizationId: $org, first: 50) { totalCount edges { node { ${ALERT} } } } }`;
export const ACKNOWLEDGE = `mutation Acknowledge($id: ID!) { acknowledgeAlert(id: $id) { ${ALERT} } }`;
export const VIEWER = 'query Viewer { viewer { role organization { id name currency } } }';
export const ORGANIZATION = 'query Organization($org: ID!) { organization(id: $org) { id name currency } }';

const bearer = (key: string) => `Bearer ${key}`;

/** One query or mutation over HTTP; throws ApiError with the first error's code. */
export async function request<T>(key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: bearer(key) },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('The server could not be reached.', 'NETWORK');
  }
  const body = (await res.json().catch(() => ({}))) as {
    data?: T | null;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  };
  const [error] = body.errors ?? [];
  if (error) throw new ApiError(error.message, error.extensions?.code);
  if (!res.ok || !body.data) throw new ApiError(`The server answered ${res.status}.`, `HTTP_${res.status}`);
  return body.data;
}

/** graphql-ws close codes that retrying cannot fix: no key (4401) or a key the server refused (4403). */
const AUTH_CLOSE_CODES = new Set([4401, 4403]);

/**
 * The live socket on the same path as the API. It reconnects for ever with backoff, since a dashboard
 * is left open for hours; `onConnected` tells whether it is a reconnect, after which missed alerts are fetched.
 */
export function openLiveClient(key: string, events: { onConnected(reconnect: boolean): void; onClosed(final: boolean): void }): Client {
  let connectedBefore = false;
  return createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: { authorization: bearer(key) },
    retryAttempts: Infinity,
    shouldRetry: (event) => !(event instanceof CloseEvent && AUTH_CLOSE_CODES.has(event.code)),
    on: {
      connected: () => {
        events.onConnected(connectedBefore);
        connectedBefore = true;
      },
      closed: (event) => events.onClosed(event instanceof CloseEvent && AUTH_CLOSE_CODES.has(event.code)),
    },
  });
}

/**
 * An invoice PDF: the link needs the bearer key, so it is fetched and handed to the browser as a blob.
 * The path is requested from this origin, whatever host the server put in `pdfUrl` (localhost vs 127.0.0.1).
 */
export async function fetchPdf(key: string, pdfUrl: string): Promise<Blob> {
  const { pathname } = new URL(pdfUrl, location.href);
  const res = await fetch(pathname, { headers: { authorization: bearer(key) } });
  if (!res.ok) throw new ApiError(`The PDF could not be fetched (${res.status}).`, `HTTP_${res.status}`);
  return res.blob();
}
