import type { GraphQLRequestContextResponseForOperation } from '@apollo/server';
import { buildSchema, GraphQLError, parse, type GraphQLFormattedError, type OperationDefinitionNode } from 'graphql';
import { jitPlugin } from '../jit-plugin';

const schema = buildSchema(`
  input ItemInput { name: String!, count: Int! }
  type Total { items: Int!, names: [String!]! }
  type Query { total(items: [ItemInput!]!): Total!, failing: Int }
  type Subscription { ticks: Int }
`);

class DomainishError extends Error {}

const rootFields = {
  total: ({ items }: { items: Array<{ name: string; count: number }> }) => ({
    items: items.reduce((sum, item) => sum + item.count, 0),
    names: items.map((item) => item.name),
  }),
  failing: () => {
    throw new DomainishError('no such thing');
  },
};
// buildSchema has no resolvers: attach them to the Query fields.
for (const [name, resolve] of Object.entries(rootFields)) {
  schema.getQueryType()!.getFields()[name]!.resolve = (_root, args) => resolve(args as never);
}

/** Stands in for the server's formatter: records what it was given. */
const formatted: unknown[] = [];
const formatError = (shape: GraphQLFormattedError, error: unknown) => {
  formatted.push(error);
  return { message: `formatted: ${shape.message}`, path: shape.path };
};

/** A document's second request (the first only marks it as seen), through a fresh plugin. */
async function respond(query: string, variables: Record<string, unknown>) {
  const plugin = jitPlugin(schema, formatError);
  const document = parse(query);
  const once = async () => {
    const listener = await plugin.requestDidStart!({} as never);
    const requestContext = {
      document,
      operation: document.definitions[0] as OperationDefinitionNode,
      operationName: null,
      request: { query, variables },
      contextValue: {},
    } as unknown as GraphQLRequestContextResponseForOperation<Record<string, never>>;
    return { response: await listener!.responseForOperation!(requestContext), requestContext };
  };
  const first = await once();
  expect(first.response).toBeNull();
  return once();
}

describe('jitPlugin', () => {
  const TOTAL = 'query($items: [ItemInput!]!) { total(items: $items) { items names } }';
  beforeEach(() => formatted.splice(0));

  it("leaves a document's first request to Apollo's execution, and compiles it when it comes again", async () => {
    const { response } = await respond('{ failing }', {});
    expect(response).not.toBeNull();
  });

  it('answers compiled operations with coerced variables', async () => {
    const { response } = await respond(TOTAL, {
      items: [
        { name: 'a', count: 2 },
        { name: 'b', count: 3 },
      ],
    });
    expect(response?.body).toEqual({ kind: 'single', singleResult: { data: { total: { items: 5, names: ['a', 'b'] } } } });
  });

  it('formats resolver errors with the server formatter and records them for the other plugins', async () => {
    const { response, requestContext } = await respond('{ failing }', {});
    expect(response?.body).toEqual({
      kind: 'single',
      singleResult: { data: { failing: null }, errors: [{ message: 'formatted: no such thing', path: ['failing'] }] },
    });
    const [error] = formatted as GraphQLError[];
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error!.originalError).toBeInstanceOf(DomainishError);
    expect(error!.locations).toEqual([{ line: 1, column: 3 }]);
    expect(requestContext.errors).toEqual([error]);
  });

  it("leaves rejected variables to Apollo's own execution (it names the input path and marks BAD_USER_INPUT)", async () => {
    const { response } = await respond(TOTAL, {
      items: [
        { name: 'a', count: 2 },
        { name: 'b', count: 'three' },
      ],
    });
    expect(response).toBeNull();
  });

  it('leaves subscriptions to graphql-ws', async () => {
    const { response } = await respond('subscription { ticks }', {});
    expect(response).toBeNull();
  });
});
