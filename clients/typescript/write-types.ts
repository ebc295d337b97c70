import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument } from '#shared/contract/openapi.ts';
import { generateClientTypes } from './generate.ts';

/** `npm run api:client`: writes the client's types from the API document as the code makes it now. */
const file = join(import.meta.dirname, 'hotline-api.d.ts');
const types = await generateClientTypes(buildOpenApiDocument());
writeFileSync(file, types);
console.log(`Wrote ${file} (${types.split('\n').length} lines)`);
