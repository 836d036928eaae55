import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChangeType, CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import {
  buildSchema,
  getNullableType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';

/** The contract as committed here, so CI needs nothing outside the repository: the first round, then the second, which extends it. */
export const CONTRACT_FILES = ['api-contract.graphql', 'api-contract-2.graphql'];
export const contractPath = (file: string): string => join(__dirname, '..', '..', 'schema', file);
/** Where the steering copy lives beside the checkout, when it does. */
export const sharedContractPath = (file: string): string => join(__dirname, '..', '..', '..', 'shared', file);

/** Both rounds as one schema: the second file's `extend`s need the first's types. */
export const loadContract = (): GraphQLSchema => buildSchema(CONTRACT_FILES.map((file) => readFileSync(contractPath(file), 'utf8')).join('\n'));

/**
 * The strings each contract output field typed `String` has returned: such a field may become an enum whose values
 * include them all, spelled the same (clients comparing the old strings still match, and the JSON is the same).
 */
export const RETURNED_STRINGS: Record<string, readonly string[]> = {
  'PlanSubscription.status': ['active', 'canceled'],
  'RejectedEvent.code': ['BAD_USER_INPUT', 'QUOTA_EXCEEDED', 'RATE_LIMITED'],
  'Entitlement.reason': ['NOT_IN_PLAN', 'FEATURE_DISABLED', 'QUOTA_EXCEEDED', 'BUDGET_EXHAUSTED', 'ACCOUNT_CLOSED'],
};

/**
 * Whether `to` is `from` with String narrowed to an enum that spells every string of `returned` as a value, in the
 * same list shape; an output may also turn non-null. Each value must serialise to its own name: an enum that maps
 * "active" to ACTIVE on the wire changes what clients read.
 */
function narrowsToSameStrings(from: GraphQLOutputType, to: GraphQLOutputType, returned: readonly string[]): boolean {
  if (isNonNullType(to)) return narrowsToSameStrings(getNullableType(from), to.ofType, returned);
  if (isNonNullType(from)) return false;
  if (isListType(from) || isListType(to)) return isListType(from) && isListType(to) && narrowsToSameStrings(from.ofType, to.ofType, returned);
  if (from.name !== 'String' || !isEnumType(to)) return false;
  const values = to.getValues();
  return values.every((v) => v.value === v.name) && returned.every((s) => values.some((v) => v.name === s));
}

/** An output field's String narrowed to an enum of the strings it already returned: no client sees a difference. */
function isSameStringsNarrowing(change: Change, contract: GraphQLSchema, schema: GraphQLSchema): boolean {
  if (change.type !== ChangeType.FieldTypeChanged || !change.path) return false;
  const [typeName, fieldName] = change.path.split('.');
  const returned = RETURNED_STRINGS[change.path];
  const [before, after] = [contract.getType(typeName!), schema.getType(typeName!)];
  if (!returned || !isObjectType(before) || !isObjectType(after)) return false;
  const [from, to] = [before.getFields()[fieldName!]?.type, after.getFields()[fieldName!]?.type];
  return !!from && !!to && narrowsToSameStrings(from, to, returned);
}

/** Each way `schema` breaks the contract, named by its schema coordinate ("Query.usage", "Invoice"). */
export async function contractBreaks(contract: GraphQLSchema, schema: GraphQLSchema): Promise<Array<{ coordinate: string; message: string }>> {
  const changes = await diff(contract, schema);
  return changes
    .filter((change) => change.criticality.level === CriticalityLevel.Breaking && !isSameStringsNarrowing(change, contract, schema))
    .map((change) => ({ coordinate: change.path ?? 'Subscription', message: change.message }));
}
