import { createPubSub } from '@graphql-yoga/subscription';
import {
  defaultFieldResolver,
  getNamedType,
  isInputObjectType,
  isScalarType,
  type GraphQLFieldResolver,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { AuthorizationError, buildSchemaSync, getMetadataStorage, type NonEmptyArray } from 'type-graphql';
import { authChecker } from '../common/auth/auth-checker';
import { AlertResolver, AlertRuleResolver } from '../modules/alert/alert.resolver';
import { ApiKeyResolver } from '../modules/api-key/api-key.resolver';
import { withAudit } from '../modules/audit/audit.middleware';
import { AuditResolver } from '../modules/audit/audit.resolver';
import { BillingResolver } from '../modules/billing/billing.resolver';
import { CostResolver } from '../modules/cost/cost.resolver';
import { CreditResolver } from '../modules/credit/credit.resolver';
import { EntitlementResolver, PlanFeatureResolver } from '../modules/entitlement/entitlement.resolver';
import { ForecastResolver } from '../modules/forecast/forecast.resolver';
import { InvoiceLineResolver, InvoiceResolver } from '../modules/invoice/invoice.resolver';
import { InvoicePaymentResolver, PaymentResolver } from '../modules/payment/payment.resolver';
import { MetricResolver } from '../modules/metric/metric.resolver';
import { OrganizationResolver } from '../modules/organization/organization.resolver';
import { PlanChargeResolver, PlanResolver } from '../modules/plan/plan.resolver';
import { PlanSubscriptionResolver } from '../modules/subscription/plan-subscription.resolver';
import { UsageResolver } from '../modules/usage/usage.resolver';
import { ViewerResolver } from '../modules/viewer/viewer.resolver';
import type { RequestContext } from './request-context';
import { DateTimeScalar, hasInvalidDate } from '../common/graphql/scalars';
import { CommonError, CommonErrorReason } from '../common/errors/common-error';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const RESOLVERS: NonEmptyArray<Function> = [
  ViewerResolver,
  OrganizationResolver,
  PlanSubscriptionResolver,
  PlanResolver,
  PlanChargeResolver,
  MetricResolver,
  ApiKeyResolver,
  UsageResolver,
  InvoiceResolver,
  InvoiceLineResolver,
  BillingResolver,
  CreditResolver,
  PaymentResolver,
  InvoicePaymentResolver,
  AlertResolver,
  AlertRuleResolver,
  CostResolver,
  AuditResolver,
  ForecastResolver,
  EntitlementResolver,
  PlanFeatureResolver,
];

let cached: GraphQLSchema | undefined;

/**
 * Fields type-graphql would only read as a property (no middleware, no role,
 * the schema name is the property name) get no resolver, as with
 * `simpleResolvers`: executors then read the property directly, where
 * type-graphql's own wrapper cost a call and an object per field, per row.
 * Field resolvers (@FieldResolver) are unaffected.
 */
function markPlainFields(): void {
  for (const field of getMetadataStorage().fields) {
    const plain = !field.roles && !field.middlewares?.length && field.schemaName === field.name;
    if (plain) field.simple ??= true;
  }
}

/**
 * Mutations whose resolver takes its arguments as the executor coerced them.
 * type-graphql copies every input object into an instance of its class, with
 * a linear search of its metadata per field: for recordUsage's thousand events
 * a batch, about 1 ms of the server's 11. The resolver method is called as
 * type-graphql would, after the same role check as its @Authorized.
 */
const PLAIN_ARGUMENTS = ['recordUsage'];

function passPlainArguments(schema: GraphQLSchema): GraphQLSchema {
  const storage = getMetadataStorage();
  for (const name of PLAIN_ARGUMENTS) {
    const meta = storage.mutations.find((m) => m.schemaName === name);
    const field = schema.getMutationType()?.getFields()[name];
    const params = [...(meta?.params ?? [])].sort((a, b) => a.index - b.index);
    if (!meta || !field || meta.middlewares?.length || params.some((p) => p.kind !== 'arg' && p.kind !== 'context')) {
      throw new Error(`${name} cannot take plain arguments: it must be a mutation without middlewares taking only @Arg and @Ctx`);
    }
    const roles = meta.roles ?? [];
    const resolver = new (meta.target as new () => Record<string, (...values: unknown[]) => unknown>)();
    const resolve: GraphQLFieldResolver<unknown, RequestContext> = async (root, args, context, info) => {
      if (meta.roles && !(await authChecker({ root, args, context, info }, roles))) throw new AuthorizationError();
      return resolver[meta.methodName]!(...params.map((p) => (p.kind === 'arg' ? args[p.name] : context)));
    };
    field.resolve = resolve;
  }
  return schema;
}

/** Whether an argument's type holds the DateTime scalar, at any depth of its input objects. */
function takesDateTime(type: GraphQLInputType, seen = new Set<GraphQLInputObjectType>()): boolean {
  const named = getNamedType(type);
  if (isScalarType(named)) return named.name === DateTimeScalar.name;
  if (!isInputObjectType(named) || seen.has(named)) return false;
  seen.add(named);
  return Object.values(named.getFields()).some((field) => takesDateTime(field.type, seen));
}

/**
 * The DateTime scalar turns a variable that is no timestamp into an invalid Date, so that recordUsage can reject
 * that one event; every other root field that takes a timestamp refuses it here, before its resolver runs.
 */
function refuseInvalidDates(schema: GraphQLSchema): GraphQLSchema {
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      if (PLAIN_ARGUMENTS.includes(field.name) || !field.args.some((arg) => takesDateTime(arg.type))) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args: Record<string, unknown>, context, info) => {
        if (hasInvalidDate(args))
          throw new CommonError(CommonErrorReason.INVALID_ARGUMENT, 'A DateTime argument is not an ISO 8601 timestamp');
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}

/** The executable schema; built once per process (type-graphql metadata is global). */
export function buildAppSchema(): GraphQLSchema {
  if (!cached) markPlainFields();
  cached ??= withAudit(
    refuseInvalidDates(
      passPlainArguments(
        buildSchemaSync({
          resolvers: RESOLVERS,
          authChecker,
          authMode: 'error',
          scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
          validate: false,
          // type-graphql insists on a PubSub once a schema has subscriptions; ours bring their own
          // `subscribe` (UsageLiveHub: one computation per organisation, fanned out per node).
          pubSub: createPubSub(),
        }),
      ),
    ),
  );
  return cached;
}
