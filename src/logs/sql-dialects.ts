/**
 * The engines `simulate --emit-sql` writes a query for (Athena runs Trino's). A module of its own: the
 * flag definitions load at every start-up, the translation (sql.ts) only when it is asked for.
 */
export const SQL_DIALECTS = ['duckdb', 'trino', 'bigquery', 'spark'] as const;
export type SqlDialect = (typeof SQL_DIALECTS)[number];
