import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Reads `.env` from the working directory into `process.env` when there is one (Node's own parser, the format
 * of `.env.example`). A variable already set in the real environment wins, even when set empty, so a deployment
 * can always override the file. Returns the file read, or undefined when there is none.
 */
export function loadDotEnv(path = '.env'): string | undefined {
  const file = resolve(path);
  if (!existsSync(file)) return undefined;
  process.loadEnvFile(file);
  return file;
}
