import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { buildSchema, GraphQLError, Kind, parse } from 'graphql';
import { jitGateway } from '../jit-executor';

const schema = buildSchema(`
  input ItemInput { name: String!, count: Int! }
  type Total { items: Int!, names: [String!]! }
  type Query { total(items: [ItemInput!]!): Total!, failing: Int }
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

async function run(query: string, variables: Record<string, unknown>) {
  const gateway = jitGateway(schema);
  const { executor } = await gateway.load({ apollo: { key: '', keyHash: '', graphRef: '' } } as never);
  const document = parse(query);
  return executor!({
    document,
    operationName: null,
    request: { query, variables },
    context: {},
  } as unknown as GatewayGraphQLRequestContext);
}

describe('jitGateway', () => {
  const TOTAL = 'query($items: [ItemInput!]!) { total(items: $items) { items names } }';

  it('hands Apollo our schema', () => {
    const seen: unknown[] = [];
    jitGateway(schema).onSchemaLoadOrUpdate(({ apiSchema }) => seen.push(apiSchema));
    expect(seen).toEqual([schema]);
  });

  it('executes compiled operations with coerced variables', async () => {
    const result = await run(TOTAL, {
      items: [
        { name: 'a', count: 2 },
        { name: 'b', count: 3 },
      ],
    });
    expect(result).toEqual({ data: { total: { items: 5, names: ['a', 'b'] } } });
  });

  it('gives resolver errors as GraphQL errors Apollo can format: path, original error, extensions', async () => {
    const result = await run('{ failing }', {});
    expect(result.data).toEqual({ failing: null });
    const [error] = result.errors!;
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error!.path).toEqual(['failing']);
    expect(error!.originalError).toBeInstanceOf(DomainishError);
    expect(error!.extensions).toEqual({});
    expect(error!.locations).toEqual([{ line: 1, column: 3 }]);
  });

  it('leaves rejected variables to graphql-js, whose errors name the input path and mark user input', async () => {
    const result = await run(TOTAL, {
      items: [
        { name: 'a', count: 2 },
        { name: 'b', count: 'three' },
      ],
    });
    expect(result.data).toBeUndefined();
    const [error] = result.errors!;
    expect(error!.message).toContain('at "items[1].count"');
    // What Apollo's BAD_USER_INPUT detection looks for.
    expect(error!.nodes?.[0]?.kind).toBe(Kind.VARIABLE_DEFINITION);
  });
});
