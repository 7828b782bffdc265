import { createTestApp, TestApp } from '../support/test-app';

/**
 * The entities declare every column, constraint and index the migrations create, so TypeORM's
 * schema builder, run against a freshly migrated database, proposes nothing: without this,
 * `npm run migration:generate` proposes dropping what the entities leave out.
 */
describe('schema drift', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ workers: false });
  });

  afterAll(async () => {
    await t.close();
  });

  it('the schema builder proposes no statement on a migrated database', async () => {
    const sql = await t.dataSource.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((query) => query.query)).toEqual([]);
  });
});
