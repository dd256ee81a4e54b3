import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/common/project-root.js';
import { readFunctionCatalog, renderFunctionDescriptors } from '../src/database/function-catalog.js';
import { PgDatabase } from '../src/database/pg-database.js';
import { openTestDatabase } from './support/test-database.js';

describe('src/database/sql-functions.generated.ts', () => {
  let db: PgDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.close());

  it('matches the catalog of the migrated database (run npm run db:types after changing sql/)', async () => {
    const committed = readFileSync(join(projectRoot(), 'src', 'database', 'sql-functions.generated.ts'), 'utf8');
    const current = renderFunctionDescriptors(await readFunctionCatalog(db.pool));
    expect(committed).toBe(current);
  });

  it('describes a function by its argument names, SQL types and defaults', async () => {
    const catalog = await readFunctionCatalog(db.pool);
    expect(catalog.find((f) => f.name === 'create_knowledge_entries')).toEqual({
      name: 'create_knowledge_entries',
      args: [
        { name: 'p_company_id', type: 'uuid', hasDefault: false },
        { name: 'p_entries', type: 'jsonb', hasDefault: false },
      ],
      returns: 'jsonb',
      returnsSet: false,
    });
    expect(
      catalog
        .find((f) => f.name === 'record_call_turn')
        ?.args.filter((a) => a.hasDefault)
        .map((a) => a.name),
    ).toEqual(['p_interrupted', 'p_latency']);
    // helpers that only other functions use are not part of the API
    expect(catalog.some((f) => f.name.startsWith('knowledge_stats_on_'))).toBe(false);
  });
});
