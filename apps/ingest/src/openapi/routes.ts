/**
 * @module
 * `GET /openapi.json`: the OpenAPI 3.1 document of the service, for anyone (it holds no secret),
 * generated once on the first request.
 */
import { Hono } from 'hono'
import { openApiDocument } from './document.js'

export function openApiRoutes() {
  let document: ReturnType<typeof openApiDocument> | undefined
  return new Hono().get('/openapi.json', (c) => {
    document ??= openApiDocument()
    return c.json(document)
  })
}
