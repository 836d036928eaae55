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
import { can, type Permission } from '../common/auth/permission';
import { Role } from '../common/auth/role';
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
import { InvoiceTimelineEntryResolver, InvoiceTimelineResolver } from '../modules/invoice/invoice-timeline.resolver';
import { InvoicePaymentResolver, PaymentResolver } from '../modules/payment/payment.resolver';
import { MetricResolver } from '../modules/metric/metric.resolver';
import { OrganizationResolver } from '../modules/organization/organization.resolver';
import { PlanChargeResolver, PlanResolver } from '../modules/plan/plan.resolver';
import { SpendControlResolver } from '../modules/spend-control/spend-control.resolver';
import { PlanChangeRequestResolver } from '../modules/subscription/plan-change-request.resolver';
import { PlanSubscriptionResolver } from '../modules/subscription/plan-subscription.resolver';
import { UsageResolver } from '../modules/usage/usage.resolver';
import { ViewerResolver } from '../modules/viewer/viewer.resolver';
import { WebhookResolver } from '../modules/webhook/webhook.resolver';
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
  InvoiceTimelineResolver,
  InvoiceTimelineEntryResolver,
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
  WebhookResolver,
  SpendControlResolver,
  PlanChangeRequestResolver,
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

/** type-graphql cannot describe the root types; what holds for every operation is said there. */
const ROOT_DESCRIPTIONS = {
  query:
    'Reads. Every operation needs an API key (header "Authorization: Bearer <key>"; UNAUTHENTICATED without a valid one) and a role that may call it (FORBIDDEN otherwise, as for another organisation\'s id). A malformed id is BAD_USER_INPUT (INVALID_ID); an organisation that does not exist is NOT_FOUND (ORGANIZATION_NOT_FOUND). Lists are pages: `first` (default and maximum given per field) and `after`, a cursor from the previous page (INVALID_PAGE_SIZE, INVALID_CURSOR).',
  mutation:
    'Changes, each written to the audit log (auditLog) once it has committed. The same key, role and id rules as queries; bad input is BAD_USER_INPUT with a `reason` naming the rule, and writes nothing.',
  subscription:
    'Live events over graphql-ws (the same URL, path /graphql), with the API key in connectionParams ({"Authorization": "Bearer <key>"}). Every role may subscribe to its own organisation; platform admins to any.',
};

const list = (items: string[]) => (items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? ''));

/** Who may call a root field, in words, from its @Authorized permissions and the role matrix; null when it has none. */
function rolesSentence(permissions: Permission[] | undefined): string | null {
  if (!permissions) return null;
  if (permissions.length === 0) return 'Roles: any API key.';
  const tenantRoles = Object.values(Role).filter((role) => role !== Role.PLATFORM_ADMIN && permissions.some((p) => can(role, p)));
  return tenantRoles.length === 0
    ? 'Roles: PLATFORM_ADMIN.'
    : `Roles: PLATFORM_ADMIN (any organisation), ${list(tenantRoles)} (their own organisation).`;
}

/**
 * Describes the root types, and ends each query's and mutation's description with the roles that may call it, read
 * from the same permission the resolver checks: the documentation cannot drift from the role matrix.
 */
function describeAccess(schema: GraphQLSchema): GraphQLSchema {
  const storage = getMetadataStorage();
  const roots = [
    [schema.getQueryType(), storage.queries, ROOT_DESCRIPTIONS.query],
    [schema.getMutationType(), storage.mutations, ROOT_DESCRIPTIONS.mutation],
    [schema.getSubscriptionType(), [], ROOT_DESCRIPTIONS.subscription],
  ] as const;
  for (const [root, resolvers, description] of roots) {
    if (!root) continue;
    root.description = description;
    for (const field of Object.values(root.getFields())) {
      const roles = rolesSentence(resolvers.find((r) => r.schemaName === field.name)?.roles as Permission[] | undefined);
      if (roles) field.description = field.description ? `${field.description} ${roles}` : roles;
    }
  }
  return schema;
}

/** The executable schema; built once per process (type-graphql metadata is global). */
export function buildAppSchema(): GraphQLSchema {
  if (!cached) markPlainFields();
  cached ??= withAudit(
    describeAccess(
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
    ),
  );
  return cached;
}
