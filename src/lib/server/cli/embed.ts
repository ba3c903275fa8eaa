import { audit } from '$lib/server/auth/audit';
import {
	addIntegration,
	EmbedError,
	getIntegration,
	listIntegrations,
	removeIntegration,
	revokeIntegration
} from '$lib/server/embed/integrations';
import { CLI_ACTOR, options, required, unknownCommand, type CommandGroup } from './args';

function date(ms: number): string {
	return ms ? new Date(ms).toISOString().slice(0, 16).replace('T', ' ') : '-';
}

/** `embed add|list|revoke|remove`: integrations of the embedded analytics, through the embed domain. */
export const embedCommands: CommandGroup = {
	name: 'embed',
	usage: [
		'embed add --name N --origins https://a,https://b [--json]   prints the id and the secret (shown once)',
		'embed list [--json]',
		'embed revoke --id I             refuses every token of the integration issued before now',
		'embed remove --id I'
	],
	async run({ storage, io }, sub, args) {
		const db = await storage();
		switch (sub) {
			case 'add': {
				const o = options(args, ['name', 'origins'], ['json']);
				const created = await addIntegration(db, {
					name: required(o, 'name'),
					origins: required(o, 'origins'),
					createdBy: 'cli'
				});
				await audit(db, {
					action: 'embed.created',
					actor: CLI_ACTOR,
					target: `embed:${created.id}`,
					details: { name: created.name, origins: created.origins }
				});
				if (o.json) io.out(JSON.stringify({ id: created.id, secret: created.secret }));
				else {
					io.out(
						`embed integration ${created.id} (${created.name}) created; its secret is shown only this once:`
					);
					io.out(created.secret);
				}
				return;
			}
			case 'list': {
				const o = options(args, [], ['json']);
				const rows = await listIntegrations(db);
				if (o.json) {
					io.out(JSON.stringify(rows));
					return;
				}
				io.out(['ID', 'NAME', 'ORIGINS', 'REVOKED BEFORE', 'CREATED'].join('  '));
				for (const r of rows)
					io.out([r.id, r.name, r.origins.join(','), date(r.revokedBefore), date(r.createdAt)].join('  '));
				return;
			}
			case 'revoke': {
				const id = required(options(args, ['id']), 'id');
				const revoked = await revokeIntegration(db, id);
				await audit(db, {
					action: 'embed.revoked',
					actor: CLI_ACTOR,
					target: `embed:${id}`,
					details: { name: revoked.name }
				});
				io.out(
					`embed integration ${id} (${revoked.name}): tokens issued before ${date(revoked.revokedBefore)} refused`
				);
				return;
			}
			case 'remove': {
				const id = required(options(args, ['id']), 'id');
				if (!(await getIntegration(db, id)))
					throw new EmbedError('not_found', `No embed integration with the id ${id}`);
				const removed = await removeIntegration(db, id);
				await audit(db, {
					action: 'embed.removed',
					actor: CLI_ACTOR,
					target: `embed:${id}`,
					details: { name: removed.name }
				});
				io.out(`embed integration ${id} (${removed.name}) removed`);
				return;
			}
			default:
				unknownCommand('embed', sub);
		}
	}
};
