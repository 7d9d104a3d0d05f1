import { DuckDBInstance } from '@duckdb/node-api';
// Each grammar on its own: the package's index loads every dialect's (MySQL, PostgreSQL...) too.
import { HiveSQL } from 'dt-sql-parser/dist/parser/hive/index.js';
import { SparkSQL } from 'dt-sql-parser/dist/parser/spark/index.js';
import { TrinoSQL } from 'dt-sql-parser/dist/parser/trino/index.js';
import { parse as parseCst } from 'sql-parser-cst';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSimulateFlags, runSimulate } from '../../../src/cli/commands/simulate.js';
import { SQL_DIALECTS, type SqlDialect, sqlStringLiteral, sqlTableName } from '../../../src/logs/sql.js';
import { testCtx } from '../../helpers/ctx.js';
import { expectGolden } from '../../helpers/golden.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { readmeCodeBlocks } from '../../helpers/readme.js';

// Issue 13: only DuckDB's query is executed (sql-duckdb.test.ts). The others are pinned by golden
// files and parsed by a maintained parser of their dialect: dt-sql-parser's Trino and Spark SQL
// grammars (ANTLR grammars derived from the engines' own), and sql-parser-cst's BigQuery dialect.
// node-sql-parser was tried first: its Trino and Hive grammars refuse lambdas and struct fields.

const TRAPS = 'test/fixtures/policy/sql-traps.yaml';

async function emitted(dialect: SqlDialect, from: string, policies = ['gce', TRAPS]): Promise<string> {
  const ctx = testCtx({ cwd: REPO_ROOT });
  const code = await runSimulate(
    parseSimulateFlags({ policy: policies, emitSql: dialect, from, output: 'text' }),
    ctx,
  );
  expect(code).toBe(0);
  return ctx.out.text;
}

/** The syntax errors a dialect's parser finds in `sql` (empty: it parses). */
function syntaxErrors(dialect: Exclude<SqlDialect, 'duckdb'>, sql: string): string[] {
  if (dialect === 'bigquery') {
    try {
      parseCst(sql, { dialect: 'bigquery' });
      return [];
    } catch (error) {
      return [(error as Error).message.split('\n')[0]!];
    }
  }
  const parser = dialect === 'trino' ? new TrinoSQL() : new SparkSQL();
  return parser.validate(sql).map((e) => e.message);
}

/** The tokens an ANTLR lexer of the dialect reads, without whitespace. */
function tokens(dialect: 'trino' | 'spark', sql: string): string[] {
  const parser = dialect === 'trino' ? new TrinoSQL() : new SparkSQL();
  return parser
    .getAllTokens(sql)
    .map((t) => t.text ?? '')
    .filter((t) => t.trim() !== '');
}

describe('the query of each dialect: golden files', () => {
  it.each(SQL_DIALECTS)('%s over a table', async (dialect) => {
    expectGolden(await emitted(dialect, 'audit_db.audit_events'), `sql/gce-traps.${dialect}.sql`);
  });

  it('duckdb over files', async () => {
    expectGolden(await emitted('duckdb', 'logs/*.log.gz'), 'sql/gce-traps.duckdb-files.sql');
  });
});

describe('the query of each dialect other than DuckDB parses in that dialect', () => {
  it.each(['trino', 'bigquery', 'spark'] as const)('%s', async (dialect) => {
    expect(syntaxErrors(dialect, await emitted(dialect, 'audit_db.audit_events'))).toEqual([]);
    // The parser does check: a parenthesis left open is refused.
    expect(syntaxErrors(dialect, 'SELECT (1 AS x FROM t')).not.toEqual([]);
  });
});

// Values a policy may hold (checker.go compares them as they are; none is validated) and names a user
// may give --from. None may end a literal or a name early.
const TRICKY = [
  "o'brien",
  'back\\slash',
  "\\'",
  "'); DROP TABLE x; --",
  '"double" `back`',
  'line\nbreak\ttab\r',
  'é € 😀',
  '%_*?[',
  '',
];

describe('string literals and names read back as exactly what they hold', () => {
  let instance: DuckDBInstance;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
  });
  afterAll(() => instance?.closeSync());

  it.each(TRICKY)('duckdb, executed: %j', async (value) => {
    const connection = await instance.connect();
    const rows = (
      await connection.runAndReadAll(`SELECT ${sqlStringLiteral('duckdb', value)} AS x`)
    ).getRows();
    connection.closeSync();
    expect(rows).toEqual([[value]]);
  });

  it.each(TRICKY)('bigquery, by its parser: %j', (value) => {
    const cst = parseCst(`SELECT ${sqlStringLiteral('bigquery', value)} AS x`, {
      dialect: 'bigquery',
    }) as unknown as {
      statements: Array<{ clauses: Array<{ columns: { items: Array<{ expr: { value: string } }> } }> }>;
    };
    expect(cst.statements[0]!.clauses[0]!.columns.items[0]!.expr.value).toBe(value);
  });

  it.each(TRICKY)('trino and spark, one string token to their lexers: %j', (value) => {
    for (const dialect of ['trino', 'spark'] as const) {
      const literal = sqlStringLiteral(dialect, value);
      expect(tokens(dialect, `SELECT ${literal} AS x`)).toEqual([
        'SELECT',
        ...tokens(dialect, literal),
        'AS',
        'x',
      ]);
      // Control characters are written as escapes or chr(): the literal itself is one line.
      expect(literal).not.toMatch(/[\n\r]/);
    }
  });

  it.each(TRICKY.filter((v) => v !== ''))('a table name part: %j', async (part) => {
    const name = `db.${part}`;
    for (const dialect of ['trino', 'spark'] as const) {
      expect(tokens(dialect, `SELECT * FROM ${sqlTableName(dialect, name)} AS t`).slice(-2)).toEqual([
        'AS',
        't',
      ]);
    }
    expect(syntaxErrors('bigquery', `SELECT * FROM ${sqlTableName('bigquery', name)} AS t`)).toEqual([]);
    // DuckDB: the quoted name is one name, which the catalog then does not have.
    const connection = await instance.connect();
    await expect(connection.run(`SELECT * FROM ${sqlTableName('duckdb', name)}`)).rejects.toThrow(
      /Catalog Error|does not exist/,
    );
    connection.closeSync();
  });
});

describe("the reference's table statements parse in their engine's dialect", () => {
  const blocks = readmeCodeBlocks('### SQL: the same counts where the logs are');
  const statement = (start: string) => {
    const found = blocks.find((b) => b.code.startsWith(start));
    expect(found, start).toBeDefined();
    return found!.code.trim().replace(/;$/, '');
  };

  it("Athena's CREATE EXTERNAL TABLE (Hive DDL)", () => {
    expect(new HiveSQL().validate(statement('CREATE EXTERNAL TABLE')).map((e) => e.message)).toEqual([]);
  });

  it("BigQuery's LOAD DATA", () => {
    expect(syntaxErrors('bigquery', statement('LOAD DATA INTO'))).toEqual([]);
  });

  it("Spark's read.json schema", () => {
    const schema = /spark\.read\.schema\("([^"]+)"\)/.exec(statement('spark.read.schema('))?.[1];
    expect(schema).toBeDefined();
    expect(syntaxErrors('spark', `CREATE TABLE audit_events (${schema}) USING json`)).toEqual([]);
  });
});
