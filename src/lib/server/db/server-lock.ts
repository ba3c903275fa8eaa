import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Which server process uses a database file: `<file>.server` holds its pid and host while it runs, so `restore`
 * can refuse to replace a file under a live server. A file left by a crash names a pid that no longer runs and is
 * ignored.
 */
export interface ServerLock {
	pid: number;
	host: string;
	startedAt: number;
}

export const lockFileOf = (databaseFile: string) => `${databaseFile}.server`;

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		// EPERM: it runs, as another user.
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** The server that holds `databaseFile` now, or null (no lock file, or one left by a process that is gone). */
export function serverUsing(databaseFile: string): ServerLock | null {
	const file = lockFileOf(databaseFile);
	if (!existsSync(file)) return null;
	let lock: ServerLock;
	try {
		lock = JSON.parse(readFileSync(file, 'utf8')) as ServerLock;
	} catch {
		return null;
	}
	// On another host (a shared volume) liveness cannot be checked: count it as running.
	if (lock.host !== hostname()) return lock;
	return lock.pid !== process.pid && alive(lock.pid) ? lock : null;
}

/** Marks `databaseFile` as used by this process until it exits. */
export function holdDatabase(databaseFile: string): void {
	if (databaseFile === ':memory:') return;
	const file = lockFileOf(databaseFile);
	const lock: ServerLock = { pid: process.pid, host: hostname(), startedAt: Date.now() };
	writeFileSync(file, JSON.stringify(lock));
	process.once('exit', () => {
		try {
			const current = JSON.parse(readFileSync(file, 'utf8')) as ServerLock;
			if (current.pid === process.pid) rmSync(file, { force: true });
		} catch {
			// Already gone.
		}
	});
}
