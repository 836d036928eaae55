import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema, type GraphQLSchema } from 'graphql';

/** The contract as committed here, so CI needs nothing outside the repository. */
export const CONTRACT_PATH = join(__dirname, '..', '..', 'schema', 'api-contract.graphql');
/** Where the steering copy lives beside the checkout, when it does. */
export const SHARED_CONTRACT_PATH = join(__dirname, '..', '..', '..', 'shared', 'api-contract.graphql');

export const loadContract = (): GraphQLSchema => buildSchema(readFileSync(CONTRACT_PATH, 'utf8'));

/** Each way `schema` breaks the contract, named by its schema coordinate ("Query.usage", "Invoice"). */
export async function contractBreaks(contract: GraphQLSchema, schema: GraphQLSchema): Promise<Array<{ coordinate: string; message: string }>> {
  const changes = await diff(contract, schema);
  return changes
    .filter((change) => change.criticality.level === CriticalityLevel.Breaking)
    .map((change) => ({ coordinate: change.path ?? 'Subscription', message: change.message }));
}
