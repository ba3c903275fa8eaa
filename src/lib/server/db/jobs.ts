import type { Storage } from './storage';

/**
 * Scheduled work that must run once across processes (DESIGN.md: alert evaluation, text recompute, risk training,
 * backups, retention): on PostgreSQL the job runs in the process that takes its advisory lock, the others skip this
 * round; on SQLite one server process owns the file (db/server-lock.ts), so the job simply runs.
 */
export type JobOutcome<T> = { ran: true; value: T } | { ran: false };

/** A stable 64-bit lock key per job name, computed by the server so every process agrees. */
const LOCK_KEY = `hashtextextended('resonance job ' || $1, 0)`;

export async function runExclusive<T>(
	storage: Storage,
	job: string,
	work: () => Promise<T>
): Promise<JobOutcome<T>> {
	if (storage.engine === 'sqlite') return { ran: true, value: await work() };
	const connection = await storage.db.$client.reserve();
	try {
		const [row] = await connection.unsafe(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS locked`, [job]);
		if (!row?.locked) return { ran: false };
		try {
			return { ran: true, value: await work() };
		} finally {
			await connection.unsafe(`SELECT pg_advisory_unlock(${LOCK_KEY})`, [job]);
		}
	} finally {
		connection.release();
	}
}
