import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { printAppSchema } from '../../src/app/print-schema';

describe('schema/schema.graphql', () => {
  it('is exactly what the code emits (run `npm run schema:emit` after changing the API)', () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'schema', 'schema.graphql'), 'utf8');
    expect(printAppSchema()).toBe(committed);
  });
});
