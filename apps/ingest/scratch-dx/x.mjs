import { Session } from 'chdb'
import { readFileSync } from 'node:fs'
const s = new Session('/tmp/dx/data')
const sql = readFileSync(process.argv[2], 'utf8').split(/;\s*\n/).map(x=>x.trim()).filter(Boolean)
for (const q of sql) {
  const t = Date.now()
  const r = s.query(q, 'PrettyCompactMonoBlock')
  if (r && r.trim()) console.log(r)
  if (Date.now()-t > 2000) console.error(`  (${Date.now()-t} ms) ${q.slice(0,60)}`)
}
s.close?.()
