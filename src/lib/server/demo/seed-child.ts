import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DemoInsights } from './insights';
import type { SeedOptions, SeedProgress, SeedResult } from './seed';

/** What the seeder process (seed-process.ts) is started with (as its one argument, in JSON). */
export interface SeederData {
	/** The SQLite file (the seeder opens its own connection). */
	file: string;
	options: Omit<SeedOptions, 'onProgress'>;
}

/** Messages from the seeder process. */
export type FromSeeder =
	| { kind: 'progress'; progress: SeedProgress }
	| { kind: 'done'; result: SeedResult & { insights: DemoInsights } }
	| { kind: 'failed'; error: string };

export interface ChildSeedResult extends SeedResult {
	/** The texts indexed and the risk model trained by the seeder after the history. */
	insights: DemoInsights;
	/** The seeder's process id (never the server's). */
	pid: number;
	/** Its exit code: the promise settles only once the process has ended and its memory is gone. */
	exitCode: number;
}

/** A seeder process under way: `done` settles once it has exited; `stop` ends it (at shutdown). */
export interface SeederRun {
	done: Promise<ChildSeedResult>;
	stop(): void;
}

/**
 * Seeds the demo history into a SQLite file from a child process (the bundle of seed-process.ts,
 * build/demo-seeder.js) and settles when that process has exited: the generator, the writer's caches and its page
 * cache live and die with it. Progress arrives as it would in-process; its errors go to the server's stderr.
 */
export function seedInChild(url: URL, file: string, options: SeedOptions): SeederRun {
	const { onProgress, ...rest } = options;
	const data: SeederData = { file, options: rest };
	const child = fork(fileURLToPath(url), [JSON.stringify(data)], {
		// The seeder's own V8 settings (not the server's small semi-spaces, nor a test runner's flags).
		execArgv: [],
		env: process.env,
		stdio: ['ignore', 'inherit', 'inherit', 'ipc']
	});
	const done = new Promise<ChildSeedResult>((resolve, reject) => {
		let result: (SeedResult & { insights: DemoInsights }) | undefined;
		let failure: Error | undefined;
		child.on('message', (message: FromSeeder) => {
			if (message.kind === 'progress') onProgress?.(message.progress);
			else if (message.kind === 'done') result = message.result;
			else failure = new Error(`the demo seeder failed: ${message.error}`);
		});
		child.on('error', (error) => (failure ??= error));
		child.on('exit', (code, signal) => {
			if (result && !failure && code === 0) resolve({ ...result, pid: child.pid ?? -1, exitCode: code });
			else reject(failure ?? new Error(`the demo seeder exited (${signal ?? code}) before it was done`));
		});
	});
	return {
		done,
		stop: () => void child.kill('SIGTERM')
	};
}
