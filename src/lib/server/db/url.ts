/**
 * Which engine and where, from DATABASE_URL (DESIGN.md "Configuration", "Scale-out on PostgreSQL"):
 * - a path, `file:path` or `:memory:` → SQLite (the default, ./data/resonance.db);
 * - `postgres://…` or `postgresql://…` → PostgreSQL 15+;
 * - anything else with a scheme (`mysql://`, `postgre://`, `sqlite://`) stops the start with this message, rather than
 *   becoming a SQLite file in a folder named after the scheme.
 */
export type DatabaseTarget = { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string };

export class DatabaseUrlError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'DatabaseUrlError';
	}
}

const DEFAULT_FILE = './data/resonance.db';

export function parseDatabaseUrl(raw: string | undefined): DatabaseTarget {
	const value = raw?.trim() || DEFAULT_FILE;
	if (value === ':memory:' || value === 'file::memory:') return { engine: 'sqlite', file: ':memory:' };
	const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase();
	// A Windows drive letter (C:\…) is a path, not a scheme.
	if (!scheme || /^[a-zA-Z]:[\\/]/.test(value)) return { engine: 'sqlite', file: value };
	if (scheme === 'file')
		return { engine: 'sqlite', file: value.slice('file:'.length).replace(/^\/\/(?=\/)/, '') };
	if (scheme === 'postgres' || scheme === 'postgresql') {
		let url: URL;
		try {
			url = new URL(value);
		} catch {
			throw new DatabaseUrlError('DATABASE_URL: not a valid postgres:// URL');
		}
		if (!url.hostname && !url.searchParams.get('host'))
			throw new DatabaseUrlError(
				'DATABASE_URL: a postgres:// URL needs a host (postgres://user:password@host:5432/db)'
			);
		if (!url.pathname.replace(/^\//, ''))
			throw new DatabaseUrlError(
				'DATABASE_URL: a postgres:// URL needs a database name (postgres://…/resonance)'
			);
		return { engine: 'postgres', url: value };
	}
	throw new DatabaseUrlError(
		`DATABASE_URL: unknown scheme "${scheme}:"; use a SQLite file path (./data/resonance.db, file:…) or postgres://user:password@host:5432/db`
	);
}

/** The URL with its password hidden, for logs. */
export function describeDatabase(target: DatabaseTarget): string {
	if (target.engine === 'sqlite') return `SQLite ${target.file}`;
	const url = new URL(target.url);
	if (url.password) url.password = '***';
	return `PostgreSQL ${url.toString()}`;
}
