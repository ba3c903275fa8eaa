// The built server as `npm start` runs it (scripts/serve.js under scripts/node-flags.js's V8 flags), started by the
// benchmarks that judge it from outside (memory.js, wallboard.js, hostile-input.js, embed-paint.js), so each measures
// what users run and none keeps its own copy of the start-up, the demo wait and the sign-in.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverNodeFlags } from '../scripts/node-flags.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves when `url` answers 2xx; throws after `ms`. */
export async function waitFor(url, ms) {
	const until = Date.now() + ms;
	while (Date.now() < until) {
		try {
			if ((await fetch(url)).ok) return;
		} catch {
			// not up yet
		}
		await sleep(300);
	}
	throw new Error(`${url} did not answer within ${ms} ms`);
}

/**
 * Starts `scripts/serve.js` of the current build on 127.0.0.1:`port` with `database` as DATABASE_URL and `env` on top
 * of this process's environment (NODE_ENV=production, ORIGIN set), and waits for /healthz.
 * `nodeArgs` go after the V8 flags (e.g. `--cpu-prof`).
 */
export async function startBuiltServer({ port, database, env = {}, nodeArgs = [] }) {
	if (!existsSync(path.join(root, 'build/index.js'))) throw new Error('no build/: run `npm run build` first');
	const base = `http://127.0.0.1:${port}`;
	const child = spawn(process.execPath, [...serverNodeFlags(process.env), ...nodeArgs, 'scripts/serve.js'], {
		cwd: root,
		stdio: ['ignore', 'pipe', 'pipe'],
		env: {
			...process.env,
			NODE_ENV: 'production',
			PORT: String(port),
			HOST: '127.0.0.1',
			ORIGIN: base,
			DATABASE_URL: database,
			...env
		}
	});
	let output = '';
	child.stdout.on('data', (c) => (output += c));
	child.stderr.on('data', (c) => (output += c));
	const exited = new Promise((r) => child.once('exit', r));

	const server = {
		base,
		pid: child.pid,
		/** Everything the server printed so far. */
		get log() {
			return output;
		},
		/** SIGTERM, then waits for the process to exit (its graceful shutdown). */
		async stop() {
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
			await exited;
		},
		/** Waits for the demo seed's "events seeded" line; returns the count it printed. */
		async demoSeeded(ms = 600_000) {
			const until = Date.now() + ms;
			while (!output.includes('events seeded')) {
				if (Date.now() > until) throw new Error(`the demo was not seeded within ${ms / 60_000} minutes`);
				if (child.exitCode !== null)
					throw new Error(`the server stopped while seeding:\n${output.slice(-3000)}`);
				await sleep(500);
			}
			return /demo: ([\d,]+) events seeded/.exec(output)?.[1] ?? '?';
		},
		/** Signs in through the login form; returns the `session=…` cookie pair. */
		async signIn({ email, password }) {
			const login = await fetch(`${base}/login`, {
				method: 'POST',
				body: new URLSearchParams({ email, password }),
				headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
				redirect: 'manual'
			});
			const session = (login.headers.get('set-cookie') ?? '').split(';')[0];
			if (!session.startsWith('session='))
				throw new Error(`sign-in failed (${login.status}); the server said:\n${output.slice(-3000)}`);
			return session;
		}
	};
	try {
		await waitFor(`${base}/healthz`, 120_000);
	} catch (error) {
		await server.stop();
		throw new Error(`${error.message}; the server said:\n${output.slice(-3000)}`, { cause: error });
	}
	return server;
}
