/**
 * @module
 * CORS for the write endpoints. Write keys are public (they ship in browser bundles), so any
 * origin may write; the preflight allows the headers the SDK sends (JSON, gzip, bearer key) and
 * lets the page read `Retry-After`.
 */
import { cors } from 'hono/cors'

export const writeCors = cors({
  origin: '*',
  allowMethods: ['POST', 'OPTIONS'],
  allowHeaders: ['Content-Type', 'Content-Encoding', 'Authorization'],
  exposeHeaders: ['Retry-After'],
  maxAge: 86_400,
})
