/**
 * PostgreSQL's side of backup and restore (beside sqlite.ts), through PostgreSQL's own tools as a DBA team expects:
 * `pg_dump --format=custom` takes a consistent snapshot (one repeatable-read transaction: ingestion goes on and the
 * copy is the database as of its start), and `pg_restore --clean --single-transaction` replaces the database's
 * objects all or nothing. Binaries: RESONANCE_PG_BIN, else those on PATH, else Debian's newest.
 */
import postgres from 'postgres';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function pgTool(
	name: 'pg_dump' | 'pg_restore',
	env: Record<string, string | undefined> = process.env
): string {
	if (env.RESONANCE_PG_BIN) return join(env.RESONANCE_PG_BIN, name);
	for (const dir of (env.PATH ?? '').split(':'))
		if (dir && existsSync(join(dir, name))) return join(dir, name);
	const debian = '/usr/lib/postgresql';
	const versions = existsSync(debian)
		? readdirSync(debian)
				.filter((v) => existsSync(join(debian, v, 'bin', name)))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (versions.length) return join(debian, versions[0], 'bin', name);
	throw new Error(
		`${name} not found: install PostgreSQL's client tools (Debian: postgresql-client) or set RESONANCE_PG_BIN`
	);
}

function run(tool: string, args: string[]): Promise<{ stdout: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		child.once('error', reject);
		child.once('close', (code) =>
			code === 0
				? resolve({ stdout })
				: reject(new Error(`${tool.split('/').pop()} failed (${code}): ${stderr.trim()}`))
		);
	});
}

/** Dumps the database at `url` into `out` (custom format), written to `out.partial` and renamed when whole. */
export async function dumpDatabase(url: string, out: string): Promise<{ ms: number; bytes: number }> {
	const started = Date.now();
	const partial = `${out}.partial`;
	rmSync(partial, { force: true });
	try {
		await run(pgTool('pg_dump'), [
			'--format=custom',
			'--no-owner',
			'--no-privileges',
			`--file=${partial}`,
			`--dbname=${url}`
		]);
		renameSync(partial, out);
		return { ms: Date.now() - started, bytes: statSync(out).size };
	} finally {
		rmSync(partial, { force: true });
	}
}

/** Why `file` cannot be restored from, or null when it is a custom-format dump holding Resonance's tables. */
export async function dumpProblem(file: string): Promise<string | null> {
	if (!existsSync(file)) return `no file at ${file}`;
	let listing: string;
	try {
		listing = (await run(pgTool('pg_restore'), ['--list', file])).stdout;
	} catch {
		return `${file} is not a PostgreSQL dump (pg_dump --format=custom)`;
	}
	if (!/TABLE public events /.test(listing) || !/__drizzle_migrations/.test(listing))
		return `${file} is not a Resonance database (no events or migrations table)`;
	return null;
}

/** Resonance processes (application_name resonance-…) other than this one connected to the database at `url`. */
export async function serversConnected(
	url: string
): Promise<{ pid: number; application: string; client: string | null }[]> {
	const sql = postgres(url, {
		max: 1,
		onnotice: () => {},
		connection: { application_name: 'resonance-admin' }
	});
	try {
		return await sql<{ pid: number; application: string; client: string | null }[]>`
			SELECT pid, application_name AS application, client_addr::text AS client FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()
			  AND application_name LIKE 'resonance-%' AND application_name <> 'resonance-admin'`;
	} finally {
		await sql.end();
	}
}

/** Replaces every Resonance object of the database at `url` by those of the dump `from`, in one transaction. */
export async function restoreDatabase(url: string, from: string): Promise<void> {
	await run(pgTool('pg_restore'), [
		'--clean',
		'--if-exists',
		'--no-owner',
		'--no-privileges',
		'--single-transaction',
		'--exit-on-error',
		`--dbname=${url}`,
		from
	]);
}
