import { deleteCustomer } from '$lib/server/privacy';
import { CLI_ACTOR, options, required, unknownCommand, type CommandGroup } from './args';

/** `customer delete --id I`: a customer's personal data deleted (PIPL), through the privacy domain. */
export const customerCommands: CommandGroup = {
	name: 'customer',
	usage: [
		"customer delete --id I          delete one customer's events, texts, journeys, cases and record (PIPL)"
	],
	async run({ storage, io }, sub, args) {
		if (sub !== 'delete') unknownCommand('customer', sub);
		const o = options(args, ['id']);
		const result = await deleteCustomer(await storage(), required(o, 'id'), CLI_ACTOR);
		if (result.total === 0) io.out('nothing stored for this customer (already deleted, or never seen)');
		else io.out(`customer deleted: ${result.total} rows removed`);
		for (const [table, rows] of Object.entries(result.removed)) io.out(`  ${table.padEnd(22)} ${rows}`);
	}
};
