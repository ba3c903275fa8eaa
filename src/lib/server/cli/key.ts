import { audit } from '$lib/server/auth/audit';
import {
	KeyError,
	addReadKey,
	addWriteKey,
	getKey,
	listKeys,
	parseOrigins,
	revokeKey
} from '$lib/server/auth/keys';
import { parseTeams } from '$lib/server/auth/users';
import {
	CLI_ACTOR,
	UsageError,
	date,
	options,
	positiveId,
	required,
	role,
	table,
	unknownCommand,
	type CommandGroup
} from './args';

/** `key add|list|revoke`: write keys (ingestion sources) and read keys, through the auth domain. */
export const keyCommands: CommandGroup = {
	name: 'key',
	usage: [
		'key add --name N --kind write|read [--role R] [--teams t1,t2] [--source ID] [--origins https://a,https://b]',
		'key list',
		'key revoke --id I'
	],
	async run({ storage, io }, sub, args) {
		const db = await storage();
		switch (sub) {
			case 'add': {
				const o = options(args, ['name', 'kind', 'role', 'teams', 'source', 'origins']);
				const name = required(o, 'name');
				const kind = required(o, 'kind');
				if (kind === 'write') {
					if (o.role || o.teams) throw new UsageError('--role and --teams are for read keys');
					const sourceId = o.source === undefined ? undefined : positiveId(o.source, 'source', 'a source id');
					const created = await addWriteKey(db, {
						name,
						sourceId,
						allowedOrigins: parseOrigins(o.origins ?? ''),
						createdBy: 'cli'
					});
					await audit(db, {
						action: 'key.created',
						actor: CLI_ACTOR,
						target: `key:${created.id}`,
						details: { kind, name, sourceId: created.sourceId }
					});
					io.out(
						`write key ${created.id} for source ${created.sourceId} created; it is shown only this once:`
					);
					io.out(created.key);
					return;
				}
				if (kind === 'read') {
					if (o.source || o.origins) throw new UsageError('--source and --origins are for write keys');
					const created = await addReadKey(db, {
						name,
						role: role(o.role),
						teams: parseTeams(o.teams),
						createdBy: 'cli'
					});
					await audit(db, {
						action: 'key.created',
						actor: CLI_ACTOR,
						target: `key:${created.id}`,
						details: { kind, name, role: o.role }
					});
					io.out(`read key ${created.id} (${o.role}) created; it is shown only this once:`);
					io.out(created.key);
					return;
				}
				throw new UsageError('--kind must be write or read');
			}
			case 'list': {
				options(args, []);
				const rows = (await listKeys(db)).map((k) => [
					String(k.id),
					k.kind,
					k.name,
					`${k.prefix}…`,
					k.kind === 'write'
						? (k.sourceName ?? '-')
						: `${k.role}${k.teams.length ? ` ${k.teams.join(',')}` : ''}`,
					date(k.lastUsedAt),
					k.revokedAt ? 'revoked' : 'active'
				]);
				for (const line of table([
					['ID', 'KIND', 'NAME', 'PREFIX', 'SOURCE/ROLE', 'LAST USED', 'STATUS'],
					...rows
				]))
					io.out(line);
				return;
			}
			case 'revoke': {
				const o = options(args, ['id']);
				const id = positiveId(required(o, 'id'), 'id', 'a key id');
				const existing = await getKey(db, id);
				if (!existing) throw new KeyError('not_found', `No key with the id ${id}`);
				if (!(await revokeKey(db, id))) {
					io.out(`key ${id} was already revoked`);
					return;
				}
				await audit(db, {
					action: 'key.revoked',
					actor: CLI_ACTOR,
					target: `key:${id}`,
					details: { kind: existing.kind, name: existing.name }
				});
				io.out(`key ${id} (${existing.name}) revoked`);
				return;
			}
			default:
				unknownCommand('key', sub);
		}
	}
};
