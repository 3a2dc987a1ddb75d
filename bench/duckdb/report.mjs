// report.mjs - run report.sql over four raw exports and write the report as
// CSV: the DuckDB side of the `make bench` comparison (see bench/run.sh).
//
//   node bench/duckdb/report.mjs SURVEYS TICKETS ORDERS REFERRALS OUT.csv
//
// One DuckDB instance in memory with its defaults (threads = the cores);
// the query reads the CSV files itself, and COPY writes OUT.csv, so the time
// from process start to exit is the whole job.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

const args = process.argv.slice(2);
if (args.length !== 5) {
    process.stderr.write('usage: node report.mjs SURVEYS TICKETS ORDERS REFERRALS OUT.csv\n');
    process.exit(2);
}
const lit = (s) => "'" + s.replaceAll("'", "''") + "'";
const names = ['@SURVEYS@', '@TICKETS@', '@ORDERS@', '@REFERRALS@'];
let sql = readFileSync(fileURLToPath(new URL('report.sql', import.meta.url)), 'utf8');
names.forEach((n, i) => { sql = sql.replaceAll(n, lit(args[i])); });
sql = sql.replace(/;\s*$/, '');
try {
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    // naive times are UTC, as in jtouch without --tz
    await con.run("SET TimeZone = 'UTC'");
    await con.run(`COPY (${sql}) TO ${lit(args[4])} (FORMAT csv, HEADER true)`);
} catch (e) {
    process.stderr.write(`duckdb: ${String(e.message).split('\n')[0]}\n`);
    process.exit(1);
}
