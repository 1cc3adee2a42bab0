/**
 * Writes the OpenAPI document the service serves at `GET /openapi.json` to docs/openapi.json
 * (`pnpm --filter @lastseen/ingest openapi`). A test fails while the two differ.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { openApiDocument } from '../src/openapi/document.js'

/** Where the document is kept in the repository. */
export const DOCUMENT_FILE = fileURLToPath(new URL('../../../docs/openapi.json', import.meta.url))

/** The document as the file holds it. */
export const documentText = (): string => `${JSON.stringify(openApiDocument(), null, 2)}\n`

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(DOCUMENT_FILE, documentText())
  console.log(`wrote ${DOCUMENT_FILE}`)
}
