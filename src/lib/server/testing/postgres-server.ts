import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real PostgreSQL server for tests and benchmarks (STACK.md trap 9): Debian's `postgresql` binaries, `initdb` into
 * a temporary folder as the non-root `postgres` user (initdb refuses root), started on a free loopback port with its
 * socket in the same folder, stopped and removed at the end. No mock: every PostgreSQL test talks to this server.
 */
export interface PostgresServer {
	/** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication on loopback only). */
	url: string;
	port: number;
	dir: string;
	stop(): void;
}

const BIN_CANDIDATES = [
	'/usr/lib/postgresql/17/bin',
	'/usr/lib/postgresql/16/bin',
	'/usr/lib/postgresql/15/bin'
];

export function postgresBinDir(): string {
	const fromEnv = process.env.RESONANCE_PG_BIN;
	const dir = fromEnv ?? BIN_CANDIDATES.find((d) => existsSync(join(d, 'initdb')));
	if (!dir || !existsSync(join(dir, 'initdb')))
		throw new Error(
			"PostgreSQL server binaries not found (Debian's `postgresql` package: apt-get install -y postgresql, or set RESONANCE_PG_BIN)"
		);
	return dir;
}

export function freePort(): Promise<number> {
	return new Promise((resolvePort, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolvePort(port));
		});
	});
}

/** Runs a server binary as the `postgres` user when we are root (initdb and postgres refuse root). */
function run(bin: string, args: string[]): void {
	const asRoot = process.getuid?.() === 0;
	const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
	const result = spawnSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
	if (result.status !== 0)
		throw new Error(`${bin} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
}

/**
 * `settings`: extra server settings (`-c name=value`), e.g. `{ log_min_duration_statement: '2000' }` for a bench that
 * names its slow statements from `<dir>/server.log`.
 */
export async function startPostgresServer(
	options: { settings?: Record<string, string> } = {}
): Promise<PostgresServer> {
	const bin = postgresBinDir();
	const dir = mkdtempSync(join(tmpdir(), 'resonance-pg-'));
	if (process.getuid?.() === 0) {
		const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
		const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
		chownSync(dir, uid, gid);
	}
	chmodSync(dir, 0o700);
	const data = join(dir, 'data');
	run(join(bin, 'initdb'), [
		'-D',
		data,
		'-A',
		'trust',
		'-U',
		'postgres',
		'-E',
		'UTF8',
		'--locale=C.UTF-8',
		'--no-sync'
	]);
	const port = await freePort();
	// Durability is not what tests measure: fsync off keeps the suite fast on a 2-core machine.
	const serverOptions = [
		`-p ${port}`,
		`-k ${dir}`,
		'-c listen_addresses=127.0.0.1',
		'-c fsync=off',
		'-c synchronous_commit=off',
		'-c full_page_writes=off',
		'-c max_connections=300',
		'-c shared_buffers=128MB',
		...Object.entries(options.settings ?? {}).map(([name, value]) => `-c ${name}=${value}`)
	].join(' ');
	run(join(bin, 'pg_ctl'), ['-D', data, '-o', serverOptions, '-l', join(dir, 'server.log'), '-w', 'start']);
	let stopped = false;
	return {
		url: `postgres://postgres@127.0.0.1:${port}/postgres`,
		port,
		dir,
		stop() {
			if (stopped) return;
			stopped = true;
			try {
				run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
			} finally {
				rmSync(dir, { recursive: true, force: true });
			}
		}
	};
}
