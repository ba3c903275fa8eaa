import { audit } from '$lib/server/auth/audit';
import { BackupError, backup, restore } from '$lib/server/backup';
import { CLI_ACTOR, Refused, options, required, unknownCommand, type CommandGroup } from './args';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** `backup --out FILE` and `restore --from FILE`, through the backup domain. */
export const backupCommands: CommandGroup = {
	name: 'backup',
	usage: [
		'backup --out FILE               a consistent copy of the database, also while the server runs and ingests'
	],
	async run({ db, file, io }, sub, args) {
		// `backup --out F`: the options come right after the group's name.
		if (sub && !sub.startsWith('--out')) unknownCommand('backup', sub);
		const o = options([sub, ...args].filter(Boolean), ['out']);
		try {
			const result = await backup(file, required(o, 'out'));
			await audit(db(), {
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
		'restore --from FILE             replace the database by a backup (refused while a server uses it)'
	],
	async run({ db, file, io }, sub, args) {
		if (sub && !sub.startsWith('--from')) unknownCommand('restore', sub);
		const o = options([sub, ...args].filter(Boolean), ['from']);
		const from = required(o, 'from');
		try {
			const { previous } = await restore(from, file);
			// Opening migrates the restored database if the backup came from an older version.
			await audit(db(), {
				action: 'data.restored',
				actor: CLI_ACTOR,
				target: file,
				details: { from, previous }
			});
			io.out(`database ${file} restored from ${from}`);
			if (previous) io.out(`the database it replaced is kept as ${previous}`);
		} catch (error) {
			if (error instanceof BackupError) throw new Refused(error.message);
			throw error;
		}
	}
};
