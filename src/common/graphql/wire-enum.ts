import { registerEnumType } from 'type-graphql';

/**
 * Registers a TypeScript string enum with type-graphql so that each GraphQL value is named by its string ("active",
 * "base_fee"), not by its TypeScript key (ACTIVE, BASE_FEE): a field that returned these strings keeps the same
 * wire format once it is typed as the enum. Every value must be described. Returns the object to name in
 * `@Field(() => …)`; fields keep the TypeScript enum as their property type.
 */
export function registerWireEnum<E extends Record<string, string>>(
  enumObj: E,
  config: { name: string; description: string; values: Record<keyof E, string> },
): Record<E[keyof E], E[keyof E]> {
  const keys = Object.keys(enumObj) as Array<keyof E & string>;
  const wire = Object.fromEntries(keys.map((key) => [enumObj[key], enumObj[key]])) as Record<E[keyof E], E[keyof E]>;
  registerEnumType(wire, {
    name: config.name,
    description: config.description,
    valuesConfig: Object.fromEntries(keys.map((key) => [enumObj[key], { description: config.values[key] }])),
  });
  return wire;
}
