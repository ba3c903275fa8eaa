import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The built server as `npm start` runs it (scripts/serve.js), started by a spec itself rather than by Playwright's
 * webServer: on a port of its own (E2E_PORT + the spec's offset), with its own settings, so the spec can restart it,
 * send it signals or read what it logged.
 */
export interface OwnServer {
	base: string;
	process: ChildProcess;
	/** Everything it printed so far (stdout and stderr). */
	log(): string;
	/** SIGTERM (or the signal given) and wait for the exit; resolves with the exit code. */
	stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startOwnServer(port: number, env: Record<string, string>): Promise<OwnServer> {
	const base = `http://127.0.0.1:${port}`;
	let log = '';
	const child = spawn(process.execPath, ['scripts/serve.js'], {
		env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ORIGIN: base, ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	child.stdout?.on('data', (d) => (log += d));
	child.stderr?.on('data', (d) => (log += d));
	const server: OwnServer = {
		base,
		process: child,
		log: () => log,
		async stop(signal = 'SIGTERM') {
			if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
			const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
			child.kill(signal);
			return exited;
		}
	};
	for (let i = 0; i < 300; i++) {
		const ok = await fetch(`${base}/readyz`).then(
			(r) => r.ok,
			() => false
		);
		if (ok) return server;
		if (child.exitCode !== null) break;
		await new Promise((r) => setTimeout(r, 200));
	}
	child.kill('SIGKILL');
	throw new Error(`the server did not start:\n${log}`);
}
