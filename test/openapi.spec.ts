import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

describe('docs/openapi.json', () => {
  it('matches the decorators (run npm run openapi after changing the API)', () => {
    expect(existsSync('dist/scripts/openapi.js'), 'build first: npm test runs nest build').toBe(true);
    const out = execFileSync('node', ['dist/scripts/openapi.js', '--check'], { encoding: 'utf8' });
    expect(out).toContain('up to date');
  });
});
