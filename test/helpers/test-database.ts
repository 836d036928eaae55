import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { withDatabase } from './database-url';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function settings(): { adminUrl: string; template: string } {
  const adminUrl = process.env.METERLY_TEST_ADMIN_URL;
  const template = process.env.METERLY_TEST_TEMPLATE;
  if (!adminUrl || !template) throw new Error('Run tests through jest: the global setup prepares the database');
  return { adminUrl, template };
}

/** A fresh, migrated database cloned from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { adminUrl, template } = settings();
  const name = `${template}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Two clones of one template at the same moment can collide; try again shortly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        break;
      } catch (err) {
        if (attempt >= 20 || !/being accessed by other users/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 100 + attempt * 50));
      }
    }
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(adminUrl, name),
    name,
    drop: async () => {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}
