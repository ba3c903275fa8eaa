#!/usr/bin/env node
/**
 * Derives the PostgreSQL schema (src/lib/server/db/schema-pg/) from the SQLite schema (src/lib/server/db/schema/),
 * so the two engines cannot drift: one source of truth, written for SQLite, and a mechanical translation that keeps
 * every column's storage class (DESIGN.md "Scale-out on PostgreSQL"):
 * - integer → bigint (number mode; ms timestamps and counts outgrow int4), except the de-duplication `hash` (bigint
 *   mode: 63 bits);
 * - integer primary key → bigint identity (SQLite assigns a rowid when none is given; PostgreSQL needs an identity);
 * - boolean mode → `flag`, a smallint holding 0/1 as SQLite does, so that hand-written SQL such as
 *   `SUM(first_contact)` or `WHERE chain_last = 1` means the same on both engines;
 * - real → double precision; json-mode text → `jsonText`, text holding JSON as SQLite does.
 * Tables and column helpers are translated; everything else (constants, row types) stays in the SQLite module and
 * is imported from there. `npm run db:schema-pg` writes the files; a unit test fails when they are out of date.
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const sqliteDir = join(root, 'src/lib/server/db/schema');
export const pgDir = join(root, 'src/lib/server/db/schema-pg');

/** Splits a module into top-level statements: a statement starts at column 0 and runs until the next one. */
function topLevelStatements(source) {
	const lines = source.split('\n');
	const statements = [];
	let current = [];
	let pendingDoc = [];
	for (const line of lines) {
		const startsStatement = /^(export |const |function |import |type |interface )/.test(line);
		if (startsStatement) {
			if (current.length) statements.push(current.join('\n'));
			current = [...pendingDoc, line];
			pendingDoc = [];
		} else if (
			/^\/\*\*|^ \*|^\/\//.test(line) &&
			(current.length === 0 || /^\);?$|^}\)?;?$/.test(current.filter((l) => l.trim()).at(-1) ?? ''))
		) {
			// A doc comment between statements belongs to the next one.
			if (current.length) statements.push(current.join('\n'));
			current = [];
			pendingDoc.push(line);
		} else {
			current.push(line);
		}
	}
	if (current.length) statements.push(current.join('\n'));
	return statements.map((s) => s.trim()).filter(Boolean);
}

const COLUMN_CALL = /\b(integer|text|real)\(\s*'/;

function translate(statement) {
	let s = statement.replace(/\bsqliteTable\(/g, 'pgTable(');
	// Integer primary keys: an identity, as SQLite's rowid.
	s = s.replace(
		/integer\('([a-z0-9_]+)'\)\.primaryKey\(\)/g,
		"bigint('$1', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity()"
	);
	s = s.replace(/integer\('([a-z0-9_]+)', \{ mode: 'boolean' \}\)/g, "flag('$1')");
	s = s.replace(/integer\('hash'\)/g, "bigint('hash', { mode: 'bigint' })");
	s = s.replace(/integer\('([a-z0-9_]+)'\)/g, "bigint('$1', { mode: 'number' })");
	s = s.replace(/real\('([a-z0-9_]+)'\)/g, "doublePrecision('$1')");
	s = s.replace(/text\('([a-z0-9_]+)', \{ mode: 'json' \}\)/g, "jsonText('$1')");
	// Flags default to 0/1 as stored.
	s = s.replace(
		/(flag\('[a-z0-9_]+'\)(?:\.notNull\(\))?)\.default\((true|false)\)/g,
		(_, col, v) => `${col}.default(sql\`${v === 'true' ? 1 : 0}\`)`
	);
	s = s.replace(
		/(jsonText\('[a-z0-9_]+'\)(?:\.\$type<.*?>\(\))?(?:\.notNull\(\))?)\.default\((\[\]|\{\})\)/g,
		(_, col, v) => `${col}.default(sql\`'${v}'\`)`
	);
	return s;
}

const PG_BUILDERS = ['bigint', 'doublePrecision', 'index', 'pgTable', 'primaryKey', 'text', 'uniqueIndex'];

export function derive(file, source) {
	const statements = topLevelStatements(source);
	const kept = [];
	const exportedElsewhere = new Map();
	for (const st of statements) {
		if (st.startsWith('import ')) continue;
		if (/Table\(/.test(st) || COLUMN_CALL.test(st)) {
			kept.push(translate(st));
			continue;
		}
		const m = /^(?:\/\*\*[\s\S]*?\*\/\s*)?export (const|type|interface) ([A-Za-z0-9_]+)/.exec(st);
		if (m) exportedElsewhere.set(m[2], m[1]);
	}
	const body = kept.join('\n\n');
	const usedBuilders = PG_BUILDERS.filter((b) => new RegExp(`(^|[^.\\w])${b}\\(`).test(body));
	const usesFlag = /\bflag\(/.test(body);
	const usesJson = /\bjsonText\(/.test(body);
	const usesSql = /\bsql`/.test(body);
	const imports = [];
	if (usesSql) imports.push("import { sql } from 'drizzle-orm';");
	imports.push(`import { ${usedBuilders.join(', ')} } from 'drizzle-orm/pg-core';`);
	const own = [usesFlag && 'flag', usesJson && 'jsonText'].filter(Boolean);
	if (own.length) imports.push(`import { ${own.join(', ')} } from './column-types';`);
	const fromSqlite = [...exportedElsewhere.entries()].filter(([name]) =>
		new RegExp(`\\b${name}\\b`).test(body)
	);
	const types = fromSqlite.filter(([, kind]) => kind !== 'const').map(([n]) => n);
	const values = fromSqlite.filter(([, kind]) => kind === 'const').map(([n]) => n);
	if (types.length)
		imports.push(`import type { ${types.join(', ')} } from '../schema/${file.replace(/\.ts$/, '')}';`);
	if (values.length)
		imports.push(`import { ${values.join(', ')} } from '../schema/${file.replace(/\.ts$/, '')}';`);
	const header = `// Derived from ../schema/${file} by scripts/derive-pg-schema.js (npm run db:schema-pg); do not edit by hand.`;
	return `${header}\n${imports.join('\n')}\n\n${body}\n`;
}

/** The derived files, by name and formatted as committed: what `npm run db:schema-pg` writes and a test compares. */
export async function deriveAll() {
	const out = new Map();
	for (const file of readdirSync(sqliteDir).sort()) {
		if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
		const source = readFileSync(join(sqliteDir, file), 'utf8');
		const target = join(pgDir, file);
		const options = { ...(await prettier.resolveConfig(target)), filepath: target };
		out.set(file, await prettier.format(file === 'index.ts' ? source : derive(file, source), options));
	}
	return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	mkdirSync(pgDir, { recursive: true });
	const files = await deriveAll();
	for (const [file, text] of files) writeFileSync(join(pgDir, file), text);
	console.log(`schema-pg: ${files.size} files written to ${pgDir}`);
}
