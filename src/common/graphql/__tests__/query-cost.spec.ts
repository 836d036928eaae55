import { buildSchema, getOperationAST, parse, type GraphQLNamedType } from 'graphql';
import { queryCost, UNBOUNDED_LIST_LENGTH } from '../query-cost';
import { PAGE_SIZE_EXTENSION } from '../pagination';

const schema = buildSchema(`
  type Query {
    things(first: Int, after: String): ThingConnection!
    thing(id: ID!): Thing
    tags: [Tag!]!
    deliveries(first: Int): [Tag!]!
    search: [Result!]!
  }
  type ThingConnection { edges: [ThingEdge!]! pageInfo: PageInfo! totalCount: Int! }
  type ThingEdge { cursor: String! node: Thing! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type Thing { id: ID! name: String! price: Money! parts: [Part!]! }
  type Part { id: ID! price: Money! }
  type Money { amount: String! currency: String! }
  type Tag { name: String! }
  union Result = Thing | Tag
`);
// What @Extensions puts on a connection type.
Object.assign(schema.getType('ThingConnection') as GraphQLNamedType, {
  extensions: { [PAGE_SIZE_EXTENSION]: { default: 20, max: 100 } },
});

const cost = (query: string, variables?: Record<string, unknown>) => {
  const document = parse(query);
  return queryCost(schema, document, getOperationAST(document)!, variables);
};

describe('queryCost', () => {
  it('counts objects, not scalars: an object costs 1 plus its selection', () => {
    expect(cost('{ thing(id: "1") { id name } }')).toBe(1);
    expect(cost('{ thing(id: "1") { id price { amount currency } } }')).toBe(2);
    expect(cost('{ __typename }')).toBe(0);
  });

  it("multiplies a connection's edges by its first, from a literal or a variable", () => {
    // Per edge: the edge, its node and the node's price; pageInfo once.
    const query = 'query ($n: Int) { things(first: $n) { totalCount pageInfo { hasNextPage } edges { node { id price { amount } } } } }';
    expect(cost(query, { n: 100 })).toBe(1 + 1 + 100 * 3);
    expect(cost(query.replace('first: $n', 'first: 7'))).toBe(1 + 1 + 7 * 3);
  });

  it("counts the connection's default page when first is left out or not an integer, and at most its maximum", () => {
    const query = 'query ($n: Int) { things(first: $n) { edges { node { id } } } }';
    expect(cost(query)).toBe(1 + 20 * 2);
    expect(cost(query, { n: '100' })).toBe(1 + 20 * 2);
    expect(cost(query, { n: 1_000_000 })).toBe(1 + 100 * 2);
    // An out-of-range size is refused by the list (INVALID_PAGE_SIZE); here it counts as the nearest valid one.
    expect(cost(query, { n: -1 })).toBe(1 + 1 * 2);
  });

  it('counts lists nothing bounds at UNBOUNDED_LIST_LENGTH, nested ones multiplied', () => {
    expect(cost('{ tags { name } }')).toBe(UNBOUNDED_LIST_LENGTH);
    const perNode = 1 + UNBOUNDED_LIST_LENGTH * (1 + 1);
    expect(cost('{ things(first: 10) { edges { node { parts { price { amount } } } } } }')).toBe(1 + 10 * (1 + perNode));
  });

  it('takes a plain list’s own first as its length', () => {
    expect(cost('{ deliveries(first: 300) { name } }')).toBe(300);
    expect(cost('{ deliveries { name } }')).toBe(UNBOUNDED_LIST_LENGTH);
  });

  it('adds aliases up, and counts fragments and inline fragments where they are spread', () => {
    expect(cost('{ a: things(first: 100) { edges { cursor } } b: things(first: 100) { edges { cursor } } }')).toBe(2 * (1 + 100));
    const spread = `
      query { things(first: 50) { edges { ...E } } thing(id: "1") { ...T } search { ... on Thing { price { amount } } } }
      fragment E on ThingEdge { node { ...T } }
      fragment T on Thing { price { amount } }`;
    expect(cost(spread)).toBe(1 + 50 * (1 + 1 + 1) + (1 + 1) + UNBOUNDED_LIST_LENGTH * (1 + 1));
  });

  it('walks a fragment spread at every level once: nested spreads do not multiply the work', () => {
    const levels = 8;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1
        ? `fragment F${i} on Thing { price { amount } }`
        : `fragment F${i} on Thing { ${Array.from({ length: 31 }, () => `...F${i + 1}`).join(' ')} }`,
    );
    // 31^7 spreads when expanded, which would not finish; memoised, a few hundred visits.
    expect(cost(`{ thing(id: "1") { ...F0 } } ${fragments.join(' ')}`)).toBe(1 + 31 ** (levels - 1));
  });

  it('costs introspection nothing', () => {
    expect(cost('{ __schema { types { name fields { name type { name } } } } }')).toBe(0);
  });
});
