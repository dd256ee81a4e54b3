import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CLIENT_SCHEMA_PATH, OPENAPI_PATH, renderClientSchema } from '../scripts/client-schema.js';

const run = (bin: string, args: string[]): { code: number; output: string } => {
  try {
    return { code: 0, output: execFileSync(`node_modules/.bin/${bin}`, args, { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (error) {
    const e = error as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
};

describe('the typed client (client/)', () => {
  // docs/openapi.json is checked against the decorators by test/openapi.spec.ts; this checks the next link.
  it('is generated from the current docs/openapi.json (run npm run client after changing the API)', async () => {
    const expected = await renderClientSchema(readFileSync(OPENAPI_PATH, 'utf8'));
    const committed = readFileSync(CLIENT_SCHEMA_PATH, 'utf8');
    expect(committed === expected, 'client/src/schema.d.ts is stale: run npm run client').toBe(true);
  });

  it('type-checks against the spec, and refuses wrong paths, parameters and bodies', () => {
    const { code, output } = run('tsc', ['-p', 'client/tsconfig.json']);
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 90_000);
});

describe('client/README.md', () => {
  it('shows code that compiles against the client, and names DTO types that exist', () => {
    const readme = readFileSync('client/README.md', 'utf8');
    const snippet = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet, 'the README has a ts example').toBeDefined();
    const names = [...readme.matchAll(/Schema<'(\w+)'>/g)].map((match) => match[1]);
    expect(names.length).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'client-readme-'));
    try {
      const source = [
        // The README's sign-in comes from the frontend's Supabase client: declared here with its real shape.
        'declare const supabase: { auth: { getSession(): Promise<{ data: { session: { access_token: string } | null } }> } };',
        snippet!.replace("'./client/src/index.js'", `'${resolve('client/src/index.js')}'`),
        `import type { Schema } from '${resolve('client/src/index.js')}';`,
        ...names.map((name, i) => `export type Named${i} = Schema<'${name}'>;`),
        'export { me, configured };',
      ].join('\n');
      writeFileSync(join(dir, 'readme.mts'), source);
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: resolve('client/tsconfig.json'), include: ['readme.mts'] }));
      const { code, output } = run('tsc', ['-p', join(dir, 'tsconfig.json')]);
      expect(output).toBe('');
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('docs/openapi.json', () => {
  it('passes the Redocly lint (npm run lint:openapi) with no errors', () => {
    const { code, output } = run('redocly', ['lint', 'docs/openapi.json', '--format=stylish']);
    expect(output).not.toMatch(/\berror\b/);
    expect(code, output).toBe(0);
  }, 90_000);
});
