import { openDatabase, type Db } from '$lib/server/db';
import { openPostgres, postgresOptionsFromEnv, type PgDb } from '$lib/server/db/postgres';
import { postgresStorage, sqliteStorage, type Storage } from '$lib/server/db/storage';
import { DatabaseUrlError, parseDatabaseUrl } from '$lib/server/db/url';
import { AccountError } from '$lib/server/auth/users';
import { KeyError } from '$lib/server/auth/keys';
import { EmbedError } from '$lib/server/embed/integrations';
import { Refused, UsageError, type AdminIo, type CommandGroup } from './args';
import { backupCommands, restoreCommands } from './backup';
import { customerCommands } from './customer';
import { dataCommands } from './data';
import { embedCommands } from './embed';
import { keyCommands } from './key';
import { migrateCommands } from './migrate';
import { retentionCommands } from './retention';
import { userCommands } from './user';

export type { AdminIo } from './args';

/**
 * `npm run admin -- <group> <command>`: administration from a shell, against DATABASE_URL (migrated first). One file
 * per command group, each calling its domain; scripts/admin.js bundles this file with esbuild and calls `runAdmin`.
 */
const GROUPS: CommandGroup[] = [
	userCommands,
	keyCommands,
	dataCommands,
	backupCommands,
	restoreCommands,
	retentionCommands,
	customerCommands,
	embedCommands,
	migrateCommands
];

export const USAGE = `Usage: npm run admin -- <command> [options]

${GROUPS.flatMap((g) => g.usage.map((line) => `  ${line}`)).join('\n')}

Environment: DATABASE_URL (default ./data/resonance.db; postgres://… for PostgreSQL). Exit codes: 0 done, 1 refused, 2 bad arguments.`;

/** Runs one command; returns the process exit code (0 done, 1 refused, 2 bad arguments). */
export async function runAdmin(argv: string[], io: AdminIo): Promise<number> {
	const [command = '', sub = '', ...args] = argv;
	if (command === 'help' || command === '--help' || command === '-h') {
		io.out(USAGE);
		return 0;
	}
	const group = GROUPS.find((g) => g.name === command);
	if (!group) {
		io.err(command ? `Unknown command: ${command}` : 'No command given');
		io.err(USAGE);
		return 2;
	}
	let db: Db | undefined;
	let pg: Promise<PgDb> | undefined;
	try {
		const target = parseDatabaseUrl(io.env.DATABASE_URL);
		const sqliteFile = () => {
			if (target.engine !== 'sqlite')
				throw new Refused(
					`${command} ${sub}: not available on PostgreSQL yet; run it against a SQLite DATABASE_URL`.trim()
				);
			return target.file;
		};
		await group.run(
			{
				target,
				io,
				db: () => (db ??= openDatabase(sqliteFile())),
				storage: async (): Promise<Storage> => {
					if (target.engine === 'sqlite') return sqliteStorage((db ??= openDatabase(target.file)));
					pg ??= openPostgres(target.url, {
						...postgresOptionsFromEnv(io.env),
						pool: 2,
						applicationName: 'resonance-admin'
					});
					return postgresStorage(await pg);
				}
			},
			sub,
			args
		);
		return 0;
	} catch (error) {
		if (error instanceof DatabaseUrlError) {
			io.err(`error: ${error.message}`);
			return 2;
		}
		if (error instanceof UsageError) {
			io.err(`error: ${error.message}`);
			io.err(USAGE);
			return 2;
		}
		if (
			error instanceof AccountError ||
			error instanceof KeyError ||
			error instanceof EmbedError ||
			error instanceof Refused
		) {
			io.err(`error: ${error.message}`);
			return 1;
		}
		throw error;
	} finally {
		db?.$client.close();
		if (pg) await (await pg.catch(() => null))?.$client.end({ timeout: 5 });
	}
}
