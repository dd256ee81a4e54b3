import { join } from 'node:path';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import { projectRoot } from '../src/common/project-root.js';

/** Where the committed client types live, and the document they are generated from. */
export const CLIENT_SCHEMA_PATH = join(projectRoot(), 'client', 'src', 'schema.d.ts');
export const OPENAPI_PATH = join(projectRoot(), 'docs', 'openapi.json');

const BANNER = '// Generated from docs/openapi.json by `npm run client`. Do not edit: change the decorators and regenerate.\n';

/**
 * The TypeScript types of the API (`paths`, `components`, `operations`) for an OpenAPI document. Pure and
 * deterministic, so the suite can regenerate in memory and compare with the committed file.
 */
export async function renderClientSchema(openApiJson: string): Promise<string> {
  const document = JSON.parse(openApiJson) as OpenAPI3;
  const ast = await openapiTS(document, { alphabetize: true, defaultNonNullable: true });
  return `${BANNER}${COMMENT_HEADER}${astToString(ast)}`;
}
