import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A graphql-ws client that reconnects forever: after a restart, a network loss or a deploy. */
export function createLiveClient(url: string, key: string): Client {
  return createClient({
    url,
    // Node 20 has no global WebSocket (Node 22 and browsers do: leave this out there).
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: Infinity,
    shouldRetry: () => true,
    // 1 s, 2 s, 4 s … up to 30 s, plus up to a second at random, so that clients do not all return at once.
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 1_000 * 2 ** retries) + Math.random() * 1_000)),
  });
}

export interface Alert {
  id: string;
  kind: string;
  severity: string;
  metric: string | null;
  threshold: string;
  value: string;
  message: string;
  triggeredAt: string;
}

const ALERTS = `subscription ($org: ID!, $after: String) {
  alertTriggered(organizationId: $org, after: $after) { id kind severity metric threshold value message triggeredAt }
}`;

/**
 * Every alert of the organisation, once each, across reconnections: graphql-ws sends the same variables again
 * when it reconnects, so `after` always holds the last alert seen and the server first sends those missed.
 * Start from a stored alert id (or an AlertEdge.cursor) to catch up after a restart of your own process too.
 */
export function followAlerts(client: Client, organizationId: string, onAlert: (alert: Alert) => void, after?: string): () => void {
  const variables = { org: organizationId, after: after ?? null };
  return client.subscribe<{ alertTriggered: Alert }>(
    { query: ALERTS, variables },
    {
      next: ({ data }) => {
        if (!data) return;
        variables.after = data.alertTriggered.id;
        onAlert(data.alertTriggered);
      },
      error: (err) => console.error('alertTriggered ended', err),
      complete: () => undefined,
    },
  );
}

const USAGE = `subscription ($org: ID!) {
  usageUpdated(organizationId: $org) { totalCost { amount currency } metrics { metric used limit percentage nearLimit blocked } }
}`;

/** The usage report now, then after every change (a reconnection starts with the current report again). */
export async function followUsage(client: Client, organizationId: string, onReport: (report: unknown) => void): Promise<void> {
  for await (const result of client.iterate({ query: USAGE, variables: { org: organizationId } })) onReport(result.data);
}
