import { audit } from '$lib/server/auth/audit';
import { BackupError, backup, restore } from '$lib/server/backup';
import { describeDatabase } from '$lib/server/db/url';
import { CLI_ACTOR, Refused, options, required, unknownCommand, type CommandGroup } from './args';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** `backup --out FILE` and `restore --from FILE`, through the backup domain. */
export const backupCommands: CommandGroup = {
	name: 'backup',
	usage: [
		'backup --out FILE               a consistent copy of the database, also while the server runs and ingests (PostgreSQL: pg_dump)'
	],
	async run({ storage, target, io }, sub, args) {
		// `backup --out F`: the options come right after the group's name.
		if (sub && !sub.startsWith('--out')) unknownCommand('backup', sub);
		const o = options([sub, ...args].filter(Boolean), ['out']);
		try {
			const result = await backup(target, required(o, 'out'));
			await audit(await storage(), {
				action: 'data.backed_up',
				actor: CLI_ACTOR,
				target: result.file,
				details: { bytes: result.bytes, ms: result.ms }
			});
			io.out(`backup ${result.file} written: ${mb(result.bytes)} in ${(result.ms / 1000).toFixed(1)} s`);
		} catch (error) {
			if (error instanceof BackupError) throw new Refused(error.message);
			throw error;
		}
	}
};

export const restoreCommands: CommandGroup = {
	name: 'restore',
	usage: [
		'restore --from FILE             replace the database by a backup (refused while a server uses it; PostgreSQL: pg_restore)'
	],
	async run({ storage, target, io }, sub, args) {
		if (sub && !sub.startsWith('--from')) unknownCommand('restore', sub);
		const o = options([sub, ...args].filter(Boolean), ['from']);
		const from = required(o, 'from');
		try {
			const { previous } = await restore(from, target);
			const where = target.engine === 'sqlite' ? target.file : describeDatabase(target);
			// Opening migrates the restored database if the backup came from an older version.
			await audit(await storage(), {
				action: 'data.restored',
				actor: CLI_ACTOR,
				target: where,
				details: { from, previous }
			});
			io.out(`database ${where} restored from ${from}`);
			if (previous) io.out(`the database it replaced is kept as ${previous}`);
		} catch (error) {
			if (error instanceof BackupError) throw new Refused(error.message);
			throw error;
		}
	}
};
