// Run one SQL query (a file, e.g. from `kops-audit simulate --emit-sql duckdb`) in DuckDB through
// @duckdb/node-api, and print its rows as JSON lines. bench/run.mjs times it beside simulate.
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [sqlFile] = process.argv.slice(2);
if (!sqlFile) {
  console.error('usage: node bench/duckdb-query.mjs QUERY.sql');
  process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const reader = await connection.runAndReadAll(readFileSync(sqlFile, 'utf8'));
for (const row of reader.getRowObjectsJson()) process.stdout.write(`${JSON.stringify(row)}\n`);
connection.closeSync();
instance.closeSync();
