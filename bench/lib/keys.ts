/**
 * @module
 * The fixed keys every benchmark's service runs with; load generators send them. Kept apart from
 * `service.ts` so a process that only sends (or the baseline) does not load the service.
 */
export const WRITE_KEY = 'lsw_bench_write_key_0123456789abcdefghij'
export const READ_KEY = 'lsr_bench_read_key_0123456789abcdefghijk'
