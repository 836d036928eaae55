import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Labels by the root fields an operation selects ("usage", "recordUsage"):
 * bounded by the schema, unlike client-chosen operation names.
 */
export function rootFields(operation: OperationDefinitionNode | undefined): string {
  if (!operation) return 'invalid';
  const names = operation.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : '...')).sort();
  return [...new Set(names)].slice(0, 3).join(',');
}

/** Prometheus metrics of one server: requests and latencies by operation, live usage, lost audit entries. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'meterly_' });
  const requests = new Counter({
    name: 'meterly_graphql_requests_total',
    help: 'GraphQL operations executed, by operation name, type and outcome.',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'meterly_graphql_request_duration_seconds',
    help: 'GraphQL operation latency, by operation name and type.',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const wsConnections = new Counter({
    name: 'meterly_ws_connections_total',
    help: 'graphql-ws connections accepted.',
    registers: [registry],
  });

  const liveReports = new Counter({
    name: 'meterly_live_usage_reports_total',
    help: 'Usage reports computed for live subscribers (one per organisation and push, whatever the number of subscribers).',
    registers: [registry],
  });
  const liveMessages = new Counter({
    name: 'meterly_live_usage_messages_total',
    help: 'Usage reports delivered to live subscribers.',
    registers: [registry],
  });

  const auditFailures = new Counter({
    name: 'meterly_audit_write_failures_total',
    help: 'Audit entries lost: the mutation committed and succeeded, its entry could not be written (see the error log).',
    labelNames: ['operation'] as const,
    registers: [registry],
  });

  type Recorder = (outcome: 'ok' | 'error', seconds: number) => void;
  // One recorder per label, bound to its series: the labels are bounded by the schema's root fields.
  const recorders = new Map<string, Recorder>();
  /**
   * Records the operations of one label (root fields and type) answered over HTTP, by Apollo or by the
   * prepared-query lane, through the label's own series, so no request looks its series up by its labels.
   */
  const operationRecorder = (operation: string, type: string): Recorder => {
    const key = `${type}:${operation}`;
    let recorder = recorders.get(key);
    if (!recorder) {
      const latency = duration.labels({ operation, type });
      const ok = requests.labels({ operation, type, outcome: 'ok' });
      const failed = requests.labels({ operation, type, outcome: 'error' });
      recorder = (outcome, seconds) => {
        latency.observe(seconds);
        (outcome === 'ok' ? ok : failed).inc();
      };
      recorders.set(key, recorder);
    }
    return recorder;
  };
  const plugin: ApolloServerPlugin = {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operation, errors }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          operationRecorder(rootFields(operation), operation?.operation ?? 'unknown')(errors?.length ? 'error' : 'ok', seconds);
        },
      };
    },
  };
  return { registry, plugin, operationRecorder, wsConnections, liveReports, liveMessages, auditFailures };
}

export type ServerMetrics = ReturnType<typeof createMetrics>;
