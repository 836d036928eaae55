import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
  type GraphQLSchema,
} from 'graphql';
import { buildAppSchema } from '../../src/app/build-schema';

const blank = (description: string | null | undefined) => !description?.trim();

/** Every type, field, argument, input field and enum value without a description, by schema coordinate. */
function undescribed(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    // GraphQL's own scalars (String, Int, …) and introspection types are described by the specification.
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    if (blank(type.description)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (blank(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const arg of 'args' in field ? field.args : []) {
          if (blank(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name}:)`);
        }
      }
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) if (blank(value.description)) missing.push(`${type.name}.${value.name}`);
    }
  }
  return missing.sort();
}

describe('the public schema', () => {
  it('describes every type, field, argument, input field and enum value (units, defaults, who may call it, errors)', () => {
    expect(undescribed(buildAppSchema())).toEqual([]);
  });

  it('finds each kind of undescribed part', () => {
    const schema = buildSchema(`
      "Described." type Query { "Described." a(x: Int, "Described." y: Int): Thing b: Int }
      type Thing { "Described." c: Kind }
      enum Kind { "Described." ONE TWO }
      "Described." input In { d: Int }
      "Described." scalar Money
      scalar Unknown
      "Described." type Mutation { "Described." e(in: In): Unknown }
    `);
    expect(undescribed(schema)).toEqual(['In.d', 'Kind', 'Kind.TWO', 'Mutation.e(in:)', 'Query.a(x:)', 'Query.b', 'Thing', 'Unknown'].sort());
  });
});
