/**
 * SQLite's side of backup and restore: everything here is specific to the engine (a PostgreSQL implementation would
 * sit beside it, with `pg_dump`/`pg_restore`). The copy is SQLite's online backup API run in a worker thread, so
 * neither the server's event loop nor its writer waits for it.
 */
import Database from 'better-sqlite3';
import { existsSync, openSync, readSync, closeSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker's code (CommonJS, evaluated): opens its own connection and copies every page in one backup step.
 * One step, not many small ones, on purpose: SQLite restarts a stepped backup whenever another connection (the
 * writer) commits in between, so under steady ingestion small steps never finish. A single step is one read
 * transaction, which in WAL mode does not block the writer: ingestion goes on and the copy is the database as of
 * the step's start (every event acknowledged before then is in it).
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
(async () => {
	const db = new Database(workerData.source, { fileMustExist: true });
	const started = Date.now();
	try {
		db.pragma('busy_timeout = 5000');
		await db.backup(workerData.out, { progress: () => 0x7fffffff });
	} finally {
		db.close();
	}
	const copy = new Database(workerData.out);
	try {
		// Not WAL: a backup is a single self-contained file until it is restored (restore turns WAL back on).
		copy.pragma('journal_mode = DELETE');
		const check = copy.pragma('quick_check', { simple: true });
		if (check !== 'ok') throw new Error('the copy failed its integrity check: ' + check);
	} finally {
		copy.close();
	}
	parentPort.postMessage({ ms: Date.now() - started });
})().catch((error) => parentPort.postMessage({ error: String((error && error.stack) || error) }));
`;

const betterSqlite = () => createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * Copies the database `source` into `out` while other connections go on writing. Written to `out.partial` and
 * renamed when complete, so a file named like a backup is always whole. Resolves with the time taken and size.
 */
export async function copyDatabase(source: string, out: string): Promise<{ ms: number; bytes: number }> {
	if (!existsSync(source)) throw new Error(`no database at ${source}`);
	const partial = `${out}.partial`;
	rmSync(partial, { force: true });
	try {
		const result = await new Promise<{ ms: number }>((resolve, reject) => {
			const worker = new Worker(WORKER, {
				eval: true,
				workerData: { module: betterSqlite(), source, out: partial },
				name: 'resonance-backup'
			});
			worker.once('message', (m: { ms: number } | { error: string }) =>
				'error' in m ? reject(new Error(m.error)) : resolve(m)
			);
			worker.once('error', reject);
			worker.once('exit', (code) => reject(new Error(`the backup worker exited (code ${code})`)));
		});
		renameSync(partial, out);
		return { ms: result.ms, bytes: statSync(out).size };
	} finally {
		rmSync(partial, { force: true });
	}
}

const HEADER = 'SQLite format 3\u0000';

/**
 * Why `file` cannot be restored from, or null when it is a whole SQLite database of this application (it has the
 * migrations table and passes `quick_check`).
 */
export function backupProblem(file: string): string | null {
	if (!existsSync(file)) return `no file at ${file}`;
	const fd = openSync(file, 'r');
	const head = Buffer.alloc(16);
	try {
		readSync(fd, head, 0, 16, 0);
	} finally {
		closeSync(fd);
	}
	if (head.toString('latin1') !== HEADER) return `${file} is not a SQLite database`;
	const db = new Database(file, { readonly: true, fileMustExist: true });
	try {
		const migrations = db
			.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
			.pluck()
			.get() as number;
		if (!migrations) return `${file} is not a Resonance database (no migrations table)`;
		const check = db.pragma('quick_check', { simple: true });
		if (check !== 'ok') return `${file} failed its integrity check: ${String(check)}`;
		return null;
	} finally {
		db.close();
	}
}

/**
 * Replaces the database file `target` by a copy of `from` (already checked by `backupProblem`; no server may have
 * `target` open). The current file, its write-ahead log folded in, is kept beside it as `aside` so a restore can be
 * undone; then the copy is renamed into place, so `target` is always either the old or the new database.
 */
export async function replaceDatabase(from: string, target: string, aside: string): Promise<void> {
	const incoming = `${target}.restoring`;
	await copyDatabase(from, incoming);
	if (existsSync(target)) {
		// Closing the only connection checkpoints the log into the file and deletes it.
		const current = new Database(target, { fileMustExist: true });
		current.pragma('wal_checkpoint(TRUNCATE)');
		current.close();
		renameSync(target, aside);
	}
	for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${target}${suffix}`, { force: true });
	renameSync(incoming, target);
}
