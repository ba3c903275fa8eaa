import { MIN_RETENTION_DAYS, RetentionError, pruneExpired, retentionDays } from '$lib/server/retention';
import { CLI_ACTOR, Refused, UsageError, options, unknownCommand, type CommandGroup } from './args';

/** `retention run [--days N]`: deletes raw events past the retention period now, through the retention domain. */
export const retentionCommands: CommandGroup = {
	name: 'retention',
	usage: [
		`retention run [--days N]        delete raw events and texts older than N days (default RESONANCE_RETENTION_DAYS, N ≥ ${MIN_RETENTION_DAYS})`
	],
	async run({ storage, io }, sub, args) {
		if (sub !== 'run') unknownCommand('retention', sub);
		const o = options(args, ['days']);
		let days: number | null;
		try {
			days = retentionDays({ RESONANCE_RETENTION_DAYS: o.days ?? io.env.RESONANCE_RETENTION_DAYS });
		} catch (error) {
			if (error instanceof RetentionError)
				throw new UsageError(
					o.days ? error.message.replace('RESONANCE_RETENTION_DAYS', '--days') : error.message
				);
			throw error;
		}
		if (days === null)
			throw new Refused('no retention period: pass --days N or set RESONANCE_RETENTION_DAYS');
		const run = await pruneExpired(await storage(), days, { actor: CLI_ACTOR });
		io.out(
			`${run.events} events and ${run.texts} texts before ${new Date(run.before).toISOString()} deleted in ${((run.finishedAt - run.startedAt) / 1000).toFixed(1)} s`
		);
	}
};
