import { Client } from 'pg';

/** Drops the template and every clone of this run, then stops the embedded cluster. */
export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env.METERLY_TEST_ADMIN_URL;
  const template = process.env.METERLY_TEST_TEMPLATE;
  if (adminUrl && template && !globalThis.__METERLY_EMBEDDED_PG__) {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${template}%`]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.end();
  }
  await globalThis.__METERLY_EMBEDDED_PG__?.stop();
}
