/**
 * The demo seeder's entry point: a child process of the server (`child_process.fork`, see seed-child.ts). It opens
 * a SQLite connection of its own to the server's file, seeds the history (generation, writes, rollup and journey
 * rebuild: seed.ts), indexes its texts and trains the risk model (insights.ts), reports progress and its result
 * over the IPC channel, and exits. Its heap, page cache,
 * segmentation dictionary and every page malloc kept go back to the system with it, so the server that seeded the
 * demo holds no more memory afterwards than one started on the seeded file (issue 21's budget, bench/memory.js).
 * A worker thread would not do: its native memory stays in the process's malloc arenas after the thread ends.
 */
import { openDatabase, sqliteCacheMb } from '$lib/server/db';
import { prepareDemoInsights } from './insights';
import { seedDemo } from './seed';
import type { FromSeeder, SeederData } from './seed-child';

const send = process.send?.bind(process);
if (!send) throw new Error('seed-process.ts runs as a child process with an IPC channel');
const tell = (message: FromSeeder) =>
	new Promise<void>((resolve) => send(message, undefined, undefined, () => resolve()));
// The server went away (crash, SIGKILL): no seeding for nobody.
process.on('disconnect', () => process.exit(1));

const data = JSON.parse(process.argv[2] ?? '') as SeederData;
// A page cache as large as the writer thread's: it keeps the indexes the history grows hot, and ends with the process.
const db = openDatabase(data.file, {
	cacheMb: sqliteCacheMb(process.env, 'RESONANCE_SQLITE_WRITER_CACHE_MB', 64)
});
let last: FromSeeder;
try {
	const result = await seedDemo(db, {
		...data.options,
		onProgress: (progress) => void tell({ kind: 'progress', progress })
	});
	// The texts indexed and the risk model trained here too: their heap leaves with this process.
	last = { kind: 'done', result: { ...result, insights: await prepareDemoInsights(db) } };
} catch (error) {
	last = { kind: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
db.$client.close();
await tell(last);
process.removeAllListeners('disconnect');
process.disconnect();
