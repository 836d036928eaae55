import { randomUUID } from 'node:crypto';
import { CreateOrganizationDocument, OrganizationsDocument } from '../generated/graphql';
import { createCatalog, createTenant } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';

const encode = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

describe('organizations: the platform admin lists and searches them', () => {
  let t: TestServer;
  let planCode: string;
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  /** A word in every name this test creates, so that searches see only them. */
  const tag = `zq${randomUUID().slice(0, 6)}`;

  beforeAll(async () => {
    t = await startTestServer();
    planCode = (await createCatalog(t.admin)).plan.code;
    tenant = await createTenant(t.admin, planCode);
  });
  afterAll(() => t.close());

  const create = async (name: string) => (await t.admin.data(CreateOrganizationDocument, { input: { name, planCode } })).createOrganization;
  const search = (variables: { first?: number; after?: string | null; search?: string }) =>
    t.admin.data(OrganizationsDocument, variables).then((r) => r.organizations);
  const extensionsOf = async (variables: { first?: number; after?: string; search?: string }, key = t.adminKey) =>
    (await t.client(key).request(OrganizationsDocument, variables)).errors?.[0]?.extensions;

  it('pages through them newest first, with the total on every page and no organisation twice', async () => {
    const created = [];
    for (const n of [1, 2, 3, 4, 5]) created.push(await create(`Paged ${tag} ${n}`));
    const seen: string[] = [];
    let after: string | null = null;
    for (const expected of [2, 2, 1]) {
      const page: Awaited<ReturnType<typeof search>> = await search({ first: 2, after, search: `paged ${tag}` });
      expect(page.totalCount).toBe(5);
      expect(page.edges).toHaveLength(expected);
      expect(page.pageInfo.hasNextPage).toBe(expected === 2);
      seen.push(...page.edges.map((e) => e.node.id));
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(created.map((o) => o.id).reverse());
  });

  it('lists every organisation without a search', async () => {
    const page = await search({ first: 100 });
    expect(page.totalCount).toBeGreaterThanOrEqual(6);
    expect(page.edges.map((e) => e.node.id)).toContain(tenant.organization.id);
  });

  it('matches names anywhere and ignoring case, with LIKE wildcards taken literally', async () => {
    const percent = await create(`${tag} 100% Off`);
    const underscore = await create(`${tag} under_score`);
    await create(`${tag} underXscore 100 Off`);
    const names = async (term: string) => (await search({ search: term })).edges.map((e) => e.node.id);
    expect(await names(`${tag.toUpperCase()} 100%`)).toEqual([percent.id]);
    expect(await names(`${tag} under_`)).toEqual([underscore.id]);
    expect(await names(`%${tag}%`)).toEqual([]);
    expect((await search({ search: `  ${tag}  ` })).totalCount).toBe(8);
  });

  it('finds an organisation by its id or the beginning of it, in any case', async () => {
    const { id } = tenant.organization;
    for (const term of [id, id.toUpperCase(), id.slice(0, 13)]) {
      expect((await search({ search: term, first: 100 })).edges.map((e) => e.node.id)).toContain(id);
    }
    expect((await search({ search: id })).totalCount).toBe(1);
  });

  it.each([
    ['first is 0', { first: 0 }, 'INVALID_PAGE_SIZE'],
    ['first is negative', { first: -1 }, 'INVALID_PAGE_SIZE'],
    ['first is over 100', { first: 101 }, 'INVALID_PAGE_SIZE'],
    ['after is no cursor', { after: 'nonsense' }, 'INVALID_CURSOR'],
    ["after is another list's cursor", { after: encode(['42']) }, 'INVALID_CURSOR'],
    ['the cursor holds no id', { after: encode(['2026-01-01T00:00:00.000Z', 'x']) }, 'INVALID_CURSOR'],
    ['the search is longer than any name', { search: 'x'.repeat(201) }, 'INVALID_ARGUMENT'],
  ])('refuses when %s (BAD_USER_INPUT)', async (_label, variables, reason) => {
    expect(await extensionsOf(variables)).toEqual({ code: 'BAD_USER_INPUT', reason });
  });

  it('is for platform admins only', async () => {
    for (const key of Object.values(tenant.keys)) expect(await extensionsOf({ first: 10 }, key)).toMatchObject({ code: 'FORBIDDEN' });
  });
});
