import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema, type GraphQLSchema } from 'graphql';

/** The contract as committed here, so CI needs nothing outside the repository: the first round, then the second, which extends it. */
export const CONTRACT_FILES = ['api-contract.graphql', 'api-contract-2.graphql'];
export const contractPath = (file: string): string => join(__dirname, '..', '..', 'schema', file);
/** Where the steering copy lives beside the checkout, when it does. */
export const sharedContractPath = (file: string): string => join(__dirname, '..', '..', '..', 'shared', file);

/** Both rounds as one schema: the second file's `extend`s need the first's types. */
export const loadContract = (): GraphQLSchema => buildSchema(CONTRACT_FILES.map((file) => readFileSync(contractPath(file), 'utf8')).join('\n'));

/** Each way `schema` breaks the contract, named by its schema coordinate ("Query.usage", "Invoice"). */
export async function contractBreaks(contract: GraphQLSchema, schema: GraphQLSchema): Promise<Array<{ coordinate: string; message: string }>> {
  const changes = await diff(contract, schema);
  return changes
    .filter((change) => change.criticality.level === CriticalityLevel.Breaking)
    .map((change) => ({ coordinate: change.path ?? 'Subscription', message: change.message }));
}
