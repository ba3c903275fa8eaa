import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serverUsing } from '$lib/server/db/server-lock';
import { runExclusive } from '$lib/server/db/jobs';
import { readOpsStatus, writeOpsStatus } from '$lib/server/db/ops-status';
import type { Storage } from '$lib/server/db/storage';
import type { DatabaseTarget } from '$lib/server/db/url';
import { backupProblem, copyDatabase, replaceDatabase } from './sqlite';
import { dumpDatabase, dumpProblem, restoreDatabase, serversConnected } from './postgres';

/**
 * Backups: a consistent online copy of the database while the server runs and ingests, restore into a database no
 * server uses, and scheduled backups with rotation. The engine-specific work is in sqlite.ts (SQLite's online backup
 * API) and postgres.ts (pg_dump / pg_restore).
 */

/** A SQLite file path, or the parsed DATABASE_URL. */
export type BackupSource = string | DatabaseTarget;
const targetOf = (source: BackupSource): DatabaseTarget =>
	typeof source === 'string' ? { engine: 'sqlite', file: source } : source;

type Env = Record<string, string | undefined>;

export interface BackupConfig {
	/** RESONANCE_BACKUP_DIR; null: no scheduled backups. */
	dir: string | null;
	/** RESONANCE_BACKUP_HOURS: time between scheduled backups (default 24). */
	hours: number;
	/** RESONANCE_BACKUP_KEEP: scheduled backups kept, the oldest deleted first (default 7). */
	keep: number;
}

export class BackupError extends Error {}

function positive(env: Env, name: string, fallback: number, integer: boolean): number {
	const raw = env[name]?.trim();
	if (!raw) return fallback;
	const value = Number(raw);
	if (!(value > 0) || (integer && !Number.isInteger(value)))
		throw new BackupError(`${name} must be a positive ${integer ? 'integer' : 'number'}, not ${raw}`);
	return value;
}

/** Reads the backup settings; a bad value fails the start with the variable's name. */
export function backupConfig(env: Env): BackupConfig {
	const dir = env.RESONANCE_BACKUP_DIR?.trim();
	return {
		dir: dir ? resolve(dir) : null,
		hours: positive(env, 'RESONANCE_BACKUP_HOURS', 24, false),
		keep: positive(env, 'RESONANCE_BACKUP_KEEP', 7, true)
	};
}

export interface BackupResult {
	file: string;
	bytes: number;
	ms: number;
}

/** Copies the database `source` into `out` (refuses to overwrite a file). */
export async function backup(source: BackupSource, out: string): Promise<BackupResult> {
	const target = targetOf(source);
	const file = resolve(out);
	if (target.engine === 'sqlite') {
		if (!existsSync(target.file)) throw new BackupError(`no database at ${target.file}`);
		if (resolve(target.file) === file) throw new BackupError('--out must not be the database itself');
	}
	try {
		statSync(file);
		throw new BackupError(`${file} exists already; choose a new file name`);
	} catch (error) {
		if (error instanceof BackupError) throw error;
	}
	mkdirSync(join(file, '..'), { recursive: true });
	const { ms, bytes } =
		target.engine === 'sqlite' ? await copyDatabase(target.file, file) : await dumpDatabase(target.url, file);
	return { file, bytes, ms };
}

export interface RestoreResult {
	/** Where the database that was replaced now is (a file; null when there was none). */
	previous: string | null;
}

/**
 * Replaces the database `target` by the backup `from`. Refuses while a server uses `target`, and refuses a file
 * that is not a whole Resonance database. The replaced database is kept beside it.
 */
export async function restore(
	from: string,
	destination: BackupSource,
	now = new Date()
): Promise<RestoreResult> {
	const where = targetOf(destination);
	if (where.engine === 'postgres') return restorePostgres(from, where.url, now);
	const target = where.file;
	const server = serverUsing(target);
	if (server)
		throw new BackupError(
			`a server (pid ${server.pid} on ${server.host}) uses ${target}; stop it first (its lock is ${target}.server)`
		);
	const problem = backupProblem(from);
	if (problem) throw new BackupError(problem);
	let previous: string | null = `${target}.before-restore-${stamp(now)}`;
	try {
		statSync(target);
	} catch {
		previous = null;
	}
	await replaceDatabase(from, target, previous ?? `${target}.unused`);
	return { previous };
}

/**
 * PostgreSQL: refused while a Resonance server is connected (they are listed); the database as it was is dumped
 * beside the backup first, so a restore can be undone as on SQLite; then the dump replaces it in one transaction.
 */
async function restorePostgres(from: string, url: string, now: Date): Promise<RestoreResult> {
	const problem = await dumpProblem(from);
	if (problem) throw new BackupError(problem);
	const servers = await serversConnected(url);
	if (servers.length)
		throw new BackupError(
			`${servers.length} Resonance server connection(s) use this database (${[...new Set(servers.map((s) => s.application))].join(', ')}); stop them first`
		);
	const previous = `${resolve(from)}.before-restore-${stamp(now)}.dump`;
	await dumpDatabase(url, previous);
	await restoreDatabase(url, from);
	return { previous };
}

const stamp = (d: Date) => d.toISOString().slice(0, 19).replace(/:/g, '-') + 'Z';
/** Scheduled backups: `.db` files of SQLite, `.dump` files (pg_dump's custom format) of PostgreSQL. */
const SCHEDULED = /^resonance-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.(db|dump)$/;

export interface BackupFile {
	name: string;
	bytes: number;
	/** When it was written (epoch ms). */
	at: number;
}

/** The scheduled backups in `dir`, newest first. */
export function listBackups(dir: string): BackupFile[] {
	let names: string[];
	try {
		names = readdirSync(dir);
	} catch {
		return [];
	}
	return names
		.filter((n) => SCHEDULED.test(n))
		.sort()
		.reverse()
		.map((name) => {
			const s = statSync(join(dir, name));
			return { name, bytes: s.size, at: s.mtimeMs };
		});
}

/** Deletes the oldest scheduled backups beyond `keep`; returns the names deleted. */
export function rotateBackups(dir: string, keep: number): string[] {
	const old = listBackups(dir).slice(keep);
	for (const b of old) rmSync(join(dir, b.name), { force: true });
	return old.map((b) => b.name);
}

/** Makes one scheduled backup into `dir` and rotates. */
export async function scheduledBackup(
	source: BackupSource,
	config: BackupConfig,
	now = new Date()
): Promise<BackupResult> {
	if (!config.dir) throw new BackupError('RESONANCE_BACKUP_DIR is not set');
	const extension = targetOf(source).engine === 'sqlite' ? 'db' : 'dump';
	const result = await backup(source, join(config.dir, `resonance-${stamp(now)}.${extension}`));
	rotateBackups(config.dir, config.keep);
	return result;
}

export interface BackupStatus {
	config: BackupConfig;
	backups: BackupFile[];
	lastError: { at: number; message: string } | null;
	running: boolean;
}

/** What every process shows of the scheduled backups (db/ops-status.ts `backup`), written by the one that ran. */
interface SharedBackupState {
	running: boolean;
	lastError: BackupStatus['lastError'];
}

let scheduled: BackupConfig | null = null;
/** Without a shared database (a test's bare schedule), this process's own state. */
let local: SharedBackupState = { running: false, lastError: null };

async function saveState(storage: Storage | undefined, state: SharedBackupState): Promise<void> {
	local = state;
	if (storage) await writeOpsStatus(storage, 'backup', state);
}

/**
 * What the admin page shows: the schedule, the last backups, the last failure and whether one is being written —
 * by any process sharing `storage` (one of them writes each scheduled backup).
 */
export async function backupStatus(storage?: Storage): Promise<BackupStatus | null> {
	if (!scheduled) return null;
	const state = (storage && (await readOpsStatus<SharedBackupState>(storage, 'backup'))) || local;
	return {
		config: scheduled,
		backups: scheduled.dir ? listBackups(scheduled.dir) : [],
		lastError: state.lastError,
		running: state.running
	};
}

/**
 * Backs `source` up every `hours` into `dir` while the process runs: the first one when the newest backup there is
 * older than that (at once on a new folder), then on schedule. Returns a function that stops it.
 */
export function startBackupSchedule(
	source: BackupSource,
	config: BackupConfig,
	log: { info: (m: string) => void; error: (m: string, e: unknown) => void },
	/** With several processes on PostgreSQL, one of them writes each scheduled backup (db/jobs.ts). */
	storage?: Storage
): () => void {
	scheduled = config;
	const dir = config.dir;
	if (!dir) return () => undefined;
	mkdirSync(dir, { recursive: true });
	const period = config.hours * 3_600_000;
	let timer: ReturnType<typeof setTimeout> | undefined;
	let stopped = false;
	const next = (ms: number) => {
		if (stopped) return;
		timer = setTimeout(run, Math.max(1000, Math.min(ms, 2 ** 31 - 1)));
		timer.unref();
	};
	const run = async () => {
		try {
			// The process that takes the job says so while it writes; the others leave the shared state alone.
			const work = async () => {
				await saveState(storage, { running: true, lastError: null });
				const result = await scheduledBackup(source, config);
				await saveState(storage, { running: false, lastError: null });
				return result;
			};
			const outcome = storage
				? await runExclusive(storage, 'backup', work)
				: { ran: true as const, value: await work() };
			if (outcome.ran) {
				const r = outcome.value;
				log.info(`backup ${r.file} written (${(r.bytes / 1e6).toFixed(1)} MB in ${r.ms} ms)`);
			}
		} catch (error) {
			const lastError = { at: Date.now(), message: error instanceof Error ? error.message : String(error) };
			log.error('scheduled backup failed', error);
			await saveState(storage, { running: false, lastError }).catch((e) =>
				log.error('recording the backup failure failed', e)
			);
		}
		next(period);
	};
	const newest = listBackups(dir)[0];
	next(newest ? newest.at + period - Date.now() : 5_000);
	return () => {
		stopped = true;
		clearTimeout(timer);
	};
}
