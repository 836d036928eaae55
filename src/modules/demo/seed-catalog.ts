import Decimal from 'decimal.js';
import { Aggregation } from '../metric/aggregation';
import type { CreateMetricInput } from '../metric/dto/create-metric.input';
import type { CreatePlanInput, PlanChargeInput, PlanFeatureInput } from '../plan/dto/create-plan.input';
import { PriceModel } from '../plan/price-model';

/**
 * The published pricing of five real platforms, as data. Every figure their
 * billing documents state is used as stated; where one gives a tier no price
 * for a model it implies (the analytics platform's overage, the hourly
 * platform's rate), the figure here is marked "illustrative" and is plain
 * data to change. What a tier allows is data too: a tier charges exactly the
 * metrics it lists (others are refused, NOT_IN_PLAN), allow-lists what it
 * limits by value (Free connectors) and gates by feature what it withholds
 * (Free's managed Bedrock). Long for a source file, as it is five platforms'
 * catalogues in one place.
 */
const metric = (
  code: string,
  name: string,
  unit: string,
  aggregation: Aggregation,
  extra: Partial<CreateMetricInput> = {},
): CreateMetricInput => ({
  code,
  name,
  unit,
  aggregation,
  ...extra,
});

export const SEED_METRICS: CreateMetricInput[] = [
  // Connectors (personal connectors)
  metric('connector_calls', 'Connector calls', 'call', Aggregation.SUM),
  metric('connector_data_mb', 'Connector data processed', 'MB', Aggregation.SUM),
  // FlowStack: a session ends after 30 idle minutes
  metric('sessions', 'Agent sessions', 'session', Aggregation.COUNT, { sessionIdleMinutes: 30, sessionKey: 'conversation' }),
  // FlowStack: calls to the models it hosts on Bedrock, "included in session pricing" (BYOK calls are the customer's own)
  metric('managed_bedrock_requests', 'Managed Bedrock requests', 'request', Aggregation.SUM),
  // Hourly pay as you go: every started hour is billed
  metric('compute_hours', 'Compute hours', 'hour', Aggregation.SUM, { eventRounding: '1' }),
  // Analytics platform
  metric('llm_tokens', 'LLM tokens', 'token', Aggregation.SUM),
  metric('sql_queries', 'SQL queries', 'query', Aggregation.SUM),
  // Billed as the peak of each day averaged over the month (a reading holds until the next).
  metric('storage_gb', 'Data storage (daily peak)', 'GB', Aggregation.DAILY_PEAK_AVERAGE),
  metric('api_requests', 'API requests', 'request', Aggregation.SUM),
  metric('active_users', 'Active users', 'user', Aggregation.UNIQUE_COUNT, { uniqueBy: 'user' }),
  // Analytics platform: compute is metered per minute, so each event counts its started minutes
  metric('compute_minutes', 'Compute (per minute)', 'minute', Aggregation.SUM, { eventRounding: '1' }),
  // Auterity, the AI API platform
  metric('ai_tokens', 'AI tokens', 'token', Aggregation.SUM),
  metric('ai_inference_requests', 'AI inference requests', 'request', Aggregation.SUM),
  metric('ai_streaming_requests', 'AI streaming requests', 'request', Aggregation.SUM),
  metric('ai_batch_requests', 'AI batch requests', 'request', Aggregation.SUM),
  metric('smart_inference_requests', 'Smart inference requests', 'request', Aggregation.SUM),
  metric('model_optimization_requests', 'Model optimization requests', 'request', Aggregation.SUM),
  metric('batch_job_requests', 'Batch job requests', 'request', Aggregation.SUM),
  metric('fine_tune_jobs', 'Fine-tune jobs', 'job', Aggregation.COUNT),
  metric('fine_tune_hours', 'Fine-tuning hours', 'hour', Aggregation.SUM),
  metric('ab_test_runs', 'A/B test runs', 'run', Aggregation.SUM),
  metric('collaboration_requests', 'Real-time collaboration requests', 'request', Aggregation.SUM),
];

const perUnit = (metricCode: string, unitPrice: string, extra: Partial<PlanChargeInput> = {}): PlanChargeInput => ({
  metric: metricCode,
  model: PriceModel.PER_UNIT,
  unitPrice,
  ...extra,
});
/** A quota that blocks: nothing past `limit` is accepted, so its price never applies. */
const quota = (metricCode: string, limit: string, unitPrice = '0', extra: Partial<PlanChargeInput> = {}): PlanChargeInput =>
  perUnit(metricCode, unitPrice, { limit, hardLimit: true, ...extra });
/** "Unlimited": counted, never limited nor billed. */
const unlimited = (metricCode: string, extra: Partial<PlanChargeInput> = {}): PlanChargeInput => ({
  metric: metricCode,
  model: PriceModel.PER_UNIT,
  unlimited: true,
  ...extra,
});
const feature = (code: string, config?: Record<string, unknown>, enabled = true): PlanFeatureInput => ({
  feature: code,
  enabled,
  ...(config ? { config } : {}),
});

// Connectors Free: "Access to basic connectors (Notion, Google Workspace)"; calls through any other are refused.
const BASIC_CONNECTORS = { connector: ['notion', 'google_workspace'] };

// Connectors: calls priced by connector type (cost calculator), data at $0.02 per MB.
const CONNECTOR_RATES = [
  { dimensions: { connector: 'notion' }, unitPrice: '0.001' },
  { dimensions: { connector: 'google_workspace' }, unitPrice: '0.002' },
  { dimensions: { connector: 'slack' }, unitPrice: '0.001' },
  { dimensions: { connector: 'github' }, unitPrice: '0.001' },
  { dimensions: { connector: 'database' }, unitPrice: '0.005' },
  { dimensions: { connector: 'custom_api' }, unitPrice: '0.01' },
];

// Auterity: cost per 1K tokens and per request, by model; stored per token.
const MODELS: Array<[string, string, string]> = [
  ['gpt-4', '0.03', '0.002'],
  ['gpt-4-turbo', '0.01', '0.001'],
  ['claude-3-opus', '0.015', '0.0015'],
  ['claude-3-haiku', '0.00025', '0.0005'],
  ['llama-2-70b', '0.0007', '0.0008'],
  ['llama-2-13b', '0.00035', '0.0004'],
];
const perThousand = (price: string): string => new Decimal(price).div(1000).toFixed();
const TOKEN_RATES = MODELS.map(([model, per1k]) => ({ dimensions: { model }, unitPrice: perThousand(per1k) }));
const REQUEST_RATES = MODELS.map(([model, , perRequest]) => ({ dimensions: { model }, unitPrice: perRequest }));

interface AuterityTier {
  code: string;
  name: string;
  price: string;
  budget: string;
  maxCostPerRequest: string;
  rpm: number;
  rph: number;
  concurrent: number;
  /** Only the Professional figures come with one (its rate_limits example). */
  burst?: number;
  inference: string;
  streaming: string;
  batch: string;
  smart?: string;
  optimization?: string;
  batchJobs?: string;
  fineTuneJobs?: string;
  abTests?: string;
}

/**
 * A tier charges exactly the request types its limits list, so a Community
 * organisation's smart inference, fine-tuning or A/B tests are refused
 * (NOT_IN_PLAN), not billed at zero. Tokens price the inference the tier
 * includes, per model. Real-time collaboration has a price ($0.001) but no tier
 * lists it, so none includes it. Fine-tuning is a quota of jobs per month,
 * each job's hours billed at $0.02. The limits a platform enforces itself are
 * features with static values.
 */
const auterity = (t: AuterityTier): CreatePlanInput => ({
  code: t.code,
  name: t.name,
  currency: 'USD',
  basePrice: t.price,
  monthlyBudget: t.budget,
  autoPauseAtBudget: true,
  requestsPerMinute: t.rpm,
  charges: [
    perUnit('ai_tokens', '0.00003', { dimensionPrices: TOKEN_RATES }),
    quota('ai_inference_requests', t.inference, '0.002', { dimensionPrices: REQUEST_RATES }),
    quota('ai_streaming_requests', t.streaming, '0.002', { dimensionPrices: REQUEST_RATES }),
    quota('ai_batch_requests', t.batch, '0.002'),
    ...(t.smart ? [quota('smart_inference_requests', t.smart, '0.005')] : []),
    ...(t.optimization ? [quota('model_optimization_requests', t.optimization, '0.01')] : []),
    ...(t.batchJobs ? [quota('batch_job_requests', t.batchJobs, '0.002')] : []),
    ...(t.fineTuneJobs ? [quota('fine_tune_jobs', t.fineTuneJobs), perUnit('fine_tune_hours', '0.02')] : []),
    ...(t.abTests ? [quota('ab_test_runs', t.abTests, '0.008')] : []),
  ],
  features: [
    feature('max_cost_per_request', { amount: t.maxCostPerRequest }),
    // Until plans carry requestsPerHour themselves, the hourly limit is a static value the platform enforces.
    feature('requests_per_hour', { limit: t.rph }),
    feature('concurrent_requests', { limit: t.concurrent }),
    ...(t.burst ? [feature('burst_limit', { limit: t.burst })] : []),
  ],
});

const analytics = (
  code: string,
  name: string,
  price: string,
  limits: [string | null, string | null, string, string | null],
  terms = 0,
): CreatePlanInput => {
  const [tokens, queries, storage, users] = limits;
  // The analytics platform alerts on overage past the limit, so limits are soft; overage prices are illustrative.
  // "Unlimited" (null here) is an unlimited charge: counted, never billed.
  const soft = (m: string, limit: string | null, unitPrice: string): PlanChargeInput =>
    limit === null ? unlimited(m) : perUnit(m, unitPrice, { included: limit, limit, hardLimit: false });
  return {
    code,
    name,
    currency: 'USD',
    basePrice: price,
    paymentTermsDays: terms,
    charges: [
      soft('llm_tokens', tokens, '0.00002'),
      soft('sql_queries', queries, '0.005'),
      soft('storage_gb', storage, '0.10'),
      soft('active_users', users, '20'),
      // Metered (per call, per minute) but priced by no tier: counted at no charge.
      perUnit('api_requests', '0', {}),
      perUnit('compute_minutes', '0', {}),
    ],
  };
};

// FlowStack's managed Bedrock: "no additional AI costs" (unlimited), for the tiers whose managed_bedrock is on.
const MANAGED_BEDROCK = unlimited('managed_bedrock_requests', { requiresFeature: 'managed_bedrock' });

export const SEED_PLANS: CreatePlanInput[] = [
  // Connectors (personal connectors)
  {
    code: 'connectors_free',
    name: 'Connectors Free',
    currency: 'USD',
    basePrice: '0',
    charges: [
      quota('connector_calls', '100', '0', { included: '100', allowedDimensions: BASIC_CONNECTORS }),
      quota('connector_data_mb', '10', '0', { included: '10' }),
    ],
    features: [feature('support', { level: 'community' })],
  },
  {
    code: 'connectors_pro',
    name: 'Connectors Pro',
    currency: 'USD',
    basePrice: '19',
    charges: [
      { metric: 'connector_calls', included: '1000', model: PriceModel.PACKAGE, packageSize: '500', packagePrice: '5' },
      { metric: 'connector_data_mb', included: '100', model: PriceModel.PACKAGE, packageSize: '50', packagePrice: '2' },
    ],
    features: [feature('support', { level: 'email' })],
  },
  {
    code: 'connectors_usage',
    name: 'Connectors pay as you go (cost calculator rates)',
    currency: 'USD',
    basePrice: '0',
    charges: [perUnit('connector_calls', '0.001', { dimensionPrices: CONNECTOR_RATES }), perUnit('connector_data_mb', '0.02')],
  },
  // FlowStack sessions: past the quota new sessions are refused. Free is BYOK-only: its managed Bedrock calls are
  // refused (FEATURE_DISABLED) unless a platform admin enables managed_bedrock for the organisation.
  {
    code: 'flowstack_free',
    name: 'FlowStack Free',
    currency: 'USD',
    basePrice: '0',
    charges: [quota('sessions', '25', '0', { included: '25' }), MANAGED_BEDROCK],
    features: [feature('managed_bedrock', undefined, false), feature('byok'), feature('support', { level: 'community' })],
  },
  {
    code: 'flowstack_starter',
    name: 'FlowStack Starter',
    currency: 'USD',
    basePrice: '29',
    charges: [quota('sessions', '1000', '0', { included: '1000' }), MANAGED_BEDROCK],
    features: [feature('managed_bedrock'), feature('byok'), feature('support', { level: 'email' })],
  },
  {
    code: 'flowstack_professional',
    name: 'FlowStack Professional',
    currency: 'USD',
    basePrice: '99',
    charges: [quota('sessions', '10000', '0', { included: '10000' }), MANAGED_BEDROCK],
    features: [feature('managed_bedrock'), feature('byok'), feature('advanced_analytics'), feature('support', { level: 'priority' })],
  },
  {
    code: 'flowstack_enterprise',
    name: 'FlowStack Enterprise',
    currency: 'USD',
    basePrice: '499',
    charges: [
      {
        metric: 'sessions',
        included: '100000',
        model: PriceModel.VOLUME,
        // "100,000+ sessions, volume pricing discounts": the tier prices are illustrative.
        tiers: [{ upTo: '100000', unitPrice: '0.004' }, { upTo: '500000', unitPrice: '0.003' }, { unitPrice: '0.002' }],
      },
      MANAGED_BEDROCK,
    ],
    features: [feature('managed_bedrock'), feature('byok'), feature('custom_infrastructure'), feature('support', { level: 'dedicated' })],
  },
  // Hourly pay as you go: every started hour billed; the hourly rate is illustrative.
  { code: 'hourly_payg', name: 'Hourly pay as you go', currency: 'USD', basePrice: '0', charges: [perUnit('compute_hours', '0.10')] },
  // Analytics platform: tokens, queries, storage (peak), users
  analytics('analytics_starter', 'Starter', '99', ['500000', '10000', '10', '5']),
  analytics('analytics_professional', 'Professional', '499', ['5000000', '100000', '100', '25']),
  // Enterprise is "Custom": unlimited tokens, queries and users, 1 TB storage, net-30; the fee is illustrative, negotiated
  // per customer. (Storage is each period's peak for now; the peak of each day averaged over the month is a coming
  // aggregation.)
  analytics('analytics_enterprise', 'Enterprise', '2500', [null, null, '1000', null], 30),
  // Auterity: budgets with auto-pause, requests per minute, request quotas
  auterity({
    code: 'auterity_community',
    name: 'Community',
    price: '0',
    budget: '5.00',
    maxCostPerRequest: '0.01',
    rpm: 10,
    rph: 100,
    concurrent: 2,
    inference: '500',
    streaming: '100',
    batch: '50',
  }),
  auterity({
    code: 'auterity_starter',
    name: 'Starter',
    price: '49',
    budget: '25.00',
    maxCostPerRequest: '0.02',
    rpm: 30,
    rph: 500,
    concurrent: 5,
    inference: '5000',
    streaming: '1000',
    batch: '500',
    smart: '1000',
  }),
  auterity({
    code: 'auterity_professional',
    name: 'Professional',
    price: '199',
    budget: '250.00',
    maxCostPerRequest: '0.05',
    rpm: 100,
    rph: 2000,
    concurrent: 20,
    burst: 50,
    inference: '50000',
    streaming: '10000',
    batch: '5000',
    smart: '10000',
    optimization: '1000',
    batchJobs: '500',
    fineTuneJobs: '10',
    abTests: '50',
  }),
  auterity({
    code: 'auterity_enterprise',
    name: 'Enterprise',
    price: '999',
    budget: '2500.00',
    maxCostPerRequest: '0.10',
    rpm: 500,
    rph: 10000,
    concurrent: 100,
    inference: '500000',
    streaming: '100000',
    batch: '50000',
    smart: '100000',
    optimization: '10000',
    batchJobs: '5000',
    fineTuneJobs: '100',
    abTests: '500',
  }),
];

export const DEMO_ORGANIZATION = {
  name: 'Acme AI (demo)',
  planCode: 'auterity_professional',
  teams: [
    { key: 'engineering', department: 'rd' },
    { key: 'marketing', department: 'operations' },
    { key: 'sales', department: 'operations' },
  ],
  projects: ['project_a', 'project_b'],
  users: ['alice', 'bob', 'carol'],
};
