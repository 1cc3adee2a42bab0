/**
 * @module
 * The lastseen service as every benchmark starts it: in this process, on 127.0.0.1, on a
 * random port, with the benchmark's fixed keys, on an embedded store in `dataDir`.
 */
import { readConfig, startServer } from '@lastseen/ingest'
import { READ_KEY, WRITE_KEY } from './keys.js'

/**
 * Start the service on the embedded store in `dataDir`, on `port` (0: any free one); other
 * settings come from the environment.
 */
export function startBenchService(dataDir: string, port = 0) {
  return startServer(
    readConfig({
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LASTSEEN_DATA_DIR: dataDir,
      LASTSEEN_WRITE_KEY: WRITE_KEY,
      LASTSEEN_READ_KEY: READ_KEY,
    }),
  )
}
