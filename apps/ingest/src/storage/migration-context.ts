/**
 * @module
 * How a migration's DDL is rendered, alone or on a cluster (`CLICKHOUSE_CLUSTER`): see
 * docs/architecture.md, "Schema on one node or on a cluster".
 */

/** What a migration's statements are rendered with. */
export interface MigrationContext {
  /** Database name. */
  db: string
  /** ` ON CLUSTER name`, or an empty string. */
  onCluster: string
  /** A MergeTree-family engine clause, replicated per shard on a cluster: `engine('ReplacingMergeTree')`. */
  engine(family: string, args?: string): string
  /** A MergeTree-family engine clause whose data is copied to every node of a cluster. */
  everywhere(family: string, args?: string): string
  /** The table materialized views read from and write to: `db.name_local` on a cluster. */
  local(name: string): string
  /** `CREATE TABLE` statements of a sharded table (one statement alone, two on a cluster). */
  table(name: string, spec: TableSpec): string[]
}

/** A sharded table. */
export interface TableSpec {
  /** Column list, without the parentheses. */
  columns: string
  /** Engine family: a MergeTree family (replicated on a cluster) or `Null`. */
  engine: string
  /** Engine arguments after the replication path, such as a version column. */
  engineArgs?: string
  /** `PARTITION BY … ORDER BY … TTL …` */
  layout: string
  /** Shard key expression of the Distributed table, e.g. `cityHash64(user_id)`. */
  shardBy: string
}

/** The rendering context for `database`, optionally on `cluster`. */
export function contextFor(where: { database: string; cluster?: string | undefined }) {
  const { database: db, cluster } = where
  const onCluster = cluster ? ` ON CLUSTER ${cluster}` : ''
  const replicated = (path: string, family: string, args: string) => {
    const replica = `'${path}', '{replica}'`
    return `Replicated${family}(${args ? `${replica}, ${args}` : replica})`
  }
  const engine = (family: string, args = '') =>
    cluster
      ? replicated(`/clickhouse/tables/{shard}/${db}/{table}`, family, args)
      : `${family}(${args})`
  const ctx: MigrationContext = {
    db,
    onCluster,
    engine,
    everywhere: (family, args = '') =>
      cluster
        ? replicated(`/clickhouse/tables/all/${db}/{table}`, family, args)
        : `${family}(${args})`,
    local: (name) => (cluster ? `${db}.${name}_local` : `${db}.${name}`),
    table(name, spec) {
      const engineClause =
        spec.engine === 'Null' ? 'Null' : engine(spec.engine, spec.engineArgs ?? '')
      const create = `CREATE TABLE IF NOT EXISTS ${ctx.local(name)}${onCluster} (
      ${spec.columns.trim()}
    ) ENGINE = ${engineClause}${spec.layout.trim() ? `\n    ${spec.layout.trim()}` : ''}`
      if (!cluster) return [create]
      return [
        create,
        `CREATE TABLE IF NOT EXISTS ${db}.${name}${onCluster} AS ${db}.${name}_local
    ENGINE = Distributed(${cluster}, ${db}, ${name}_local, ${spec.shardBy})`,
      ]
    },
  }
  return ctx
}
