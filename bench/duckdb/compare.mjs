// compare.mjs - check two reports of the same cells cell by cell: jkpi's CSV
// and DuckDB's (bench/duckdb/report.sql), for `make bench`.
//
//   node bench/duckdb/compare.mjs JKPI.csv DUCKDB.csv
//
// The rows are matched by their group key (the columns before the first
// figure: activity, stage); the headers must be the same.  Figures are
// compared as printed: counts exactly, the others to the decimals jkpi
// prints (both sides print the same number of decimals, so equal means the
// same string).  Prints one line per differing cell (the first 20) and a
// summary; exits 0 when every cell is equal, 1 when not, 2 on bad input.
import { readFileSync } from 'node:fs';

function parse(text) {            // RFC 4180, as both sides write it
    const rows = []; let row = [], f = '', q = false;
    for (let i = 0; i < text.length; i++) {
        const ch = text[i];
        if (q) {
            if (ch === '"') { if (text[i + 1] === '"') { f += '"'; i++; } else q = false; }
            else f += ch;
        } else if (ch === '"') q = true;
        else if (ch === ',') { row.push(f); f = ''; }
        else if (ch === '\n' || ch === '\r') {
            if (ch === '\r' && text[i + 1] === '\n') i++;
            row.push(f); rows.push(row); row = []; f = '';
        } else f += ch;
    }
    if (f !== '' || row.length) { row.push(f); rows.push(row); }
    return rows;
}
const args = process.argv.slice(2);
if (args.length !== 2) {
    process.stderr.write('usage: node compare.mjs JKPI.csv DUCKDB.csv\n');
    process.exit(2);
}
const [a, b] = args.map((p) => parse(readFileSync(p, 'utf8')));
if (!a.length || !b.length) { console.log('compare: an empty report'); process.exit(2); }
const ha = a[0].join(','), hb = b[0].join(',');
if (ha !== hb) {
    console.log(`compare: headers differ:\n  ${args[0]}: ${ha}\n  ${args[1]}: ${hb}`);
    process.exit(1);
}
const nkey = 2;
const key = (r) => r.slice(0, nkey).join('\u0000');
const mb = new Map(b.slice(1).map((r) => [key(r), r]));
let cells = 0, bad = 0, shown = 0;
const seen = new Set();
const say = (s) => { if (shown++ < 20) console.log(s); };
for (const r of a.slice(1)) {
    const k = key(r), o = mb.get(k);
    seen.add(k);
    if (!o) { bad += r.length - nkey; say(`  only in ${args[0]}: ${r.slice(0, nkey).join(' x ')}`); continue; }
    for (let i = nkey; i < a[0].length; i++) {
        cells++;
        if (r[i] !== o[i]) { bad++; say(`  ${r.slice(0, nkey).join(' x ')} ${a[0][i]}: jkpi ${r[i] || '(empty)'}, duckdb ${o[i] || '(empty)'}`); }
    }
}
for (const r of b.slice(1)) {
    if (!seen.has(key(r))) { bad += r.length - nkey; say(`  only in ${args[1]}: ${r.slice(0, nkey).join(' x ')}`); }
}
if (shown > 20) console.log(`  ... and ${shown - 20} more`);
console.log(bad ? `compare: ${bad} of ${cells} cells differ (${a.length - 1} rows)`
                : `compare: all ${cells} cells equal (${a.length - 1} rows x ${a[0].length - nkey} figures)`);
process.exit(bad ? 1 : 0);
