// Runs `nest build` only when a source file changed since the last build, so `npm start` and the scripts that run
// compiled code start in seconds on an unchanged tree. Plain JavaScript: it must run before anything is compiled.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');
/** What the build reads: the compiled folders and the files that configure the compiler and the Swagger plugin. */
const INPUTS = ['src', 'scripts', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package-lock.json'];

function newestChange(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs; // a deleted or renamed file changes its folder
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, entry)));
  return newest;
}

const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const changed = Math.max(...INPUTS.map((input) => newestChange(join(root, input))));
if (changed >= built) {
  const startedAt = Date.now();
  const result = spawnSync(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['--no-install', 'nest', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  // the stamp takes the time the build started: a file saved during the build triggers the next one
  writeFileSync(stamp, '');
  utimesSync(stamp, new Date(startedAt), new Date(startedAt));
}
