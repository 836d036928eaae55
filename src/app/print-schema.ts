import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildAppSchema } from './build-schema';

const HEADER = '# Emitted from the code by `npm run schema:emit`; do not edit. A test fails when they differ.\n\n';

/** The SDL checked in as schema/schema.graphql, sorted so diffs stay readable. */
export const printAppSchema = (): string => HEADER + printSchema(lexicographicSortSchema(buildAppSchema())) + '\n';
