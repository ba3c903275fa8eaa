import { audit } from '$lib/server/auth/audit';
import { loadJourneyCatalog } from '$lib/server/journeys/registry';
import { restitchAll } from '$lib/server/journeys/stitch';
import { rebuildRollups } from '$lib/server/metrics/rollups';
import { CLI_ACTOR, UsageError, options, unknownCommand, type CommandGroup } from './args';

/** `data rebuild-rollups|restitch`: derived tables rebuilt from the stored events (metrics and journeys domains). */
export const dataCommands: CommandGroup = {
	name: 'data',
	usage: [
		'data rebuild-rollups            rebuild the KPI rollup cells from the stored events',
		'data restitch [--journey K]     rebuild journey instances from the stored events (all journeys, or one)'
	],
	async run({ storage, io }, sub, args) {
		const db = await storage();
		switch (sub) {
			case 'rebuild-rollups': {
				options(args, []);
				const started = performance.now();
				const { events, cells } = await rebuildRollups(db);
				const seconds = (performance.now() - started) / 1000;
				await audit(db, {
					action: 'data.rebuilt',
					actor: CLI_ACTOR,
					target: 'rollups',
					details: { events, cells, seconds: Math.round(seconds * 10) / 10 }
				});
				io.out(`rollups rebuilt from ${events} events: ${cells} cells in ${seconds.toFixed(1)} s`);
				return;
			}
			case 'restitch': {
				const o = options(args, ['journey']);
				const journey = o.journey;
				if (journey !== undefined && !(await loadJourneyCatalog(db)).byKey.has(journey))
					throw new UsageError(`--journey must be the key of an enabled journey, not ${journey}`);
				const started = performance.now();
				const instances = await restitchAll(db, journey ? { journeys: [journey] } : {});
				const seconds = (performance.now() - started) / 1000;
				await audit(db, {
					action: 'data.rebuilt',
					actor: CLI_ACTOR,
					target: journey ? `journey:${journey}` : 'journeys',
					details: { instances, seconds: Math.round(seconds * 10) / 10 }
				});
				io.out(`${instances} journey instances rebuilt in ${seconds.toFixed(1)} s`);
				return;
			}
			default:
				unknownCommand('data', sub);
		}
	}
};
