import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printAppSchema } from '../src/app/print-schema';

const target = join(__dirname, '..', '..', 'schema', 'schema.graphql');
writeFileSync(target, printAppSchema());
console.log(`wrote ${target}`);
