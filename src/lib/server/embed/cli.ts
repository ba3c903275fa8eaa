import { parseArgs } from 'node:util';
import type { Db } from '$lib/server/db';
import { audit } from '$lib/server/auth/audit';
import {
	EmbedError,
	addIntegration,
	getIntegration,
	listIntegrations,
	removeIntegration,
	revokeIntegration
} from './integrations';

/**
 * `npm run admin -- embed add|list|revoke|remove`: the embed command group, called by the admin CLI with an open
 * database. Throws EmbedUsageError for a bad command line (exit 2) and EmbedError for a refusal (exit 1).
 */
export const EMBED_USAGE = `  embed add --name N --origins https://a,https://b [--json]   prints the id and the secret (shown once)
  embed list [--json]
  embed revoke --id I             refuses every token of the integration issued before now
  embed remove --id I`;

export class EmbedUsageError extends Error {}

const CLI_ACTOR = { id: null, email: 'cli' };

function options(args: string[], strings: string[], flags: string[] = []) {
	try {
		return parseArgs({
			args,
			options: {
				...Object.fromEntries(strings.map((n) => [n, { type: 'string' as const }])),
				...Object.fromEntries(flags.map((n) => [n, { type: 'boolean' as const }]))
			},
			strict: true,
			allowPositionals: false
		}).values as Record<string, string | boolean | undefined>;
	} catch (error) {
		throw new EmbedUsageError(error instanceof Error ? error.message : String(error));
	}
}

function required(values: Record<string, string | boolean | undefined>, name: string): string {
	const value = values[name];
	if (typeof value !== 'string' || !value.trim()) throw new EmbedUsageError(`--${name} is required`);
	return value.trim();
}

function date(ms: number): string {
	return ms ? new Date(ms).toISOString().slice(0, 16).replace('T', ' ') : '-';
}

export async function runEmbedCommand(
	db: Db,
	sub: string,
	args: string[],
	out: (line: string) => void
): Promise<void> {
	switch (sub) {
		case 'add': {
			const o = options(args, ['name', 'origins'], ['json']);
			const created = addIntegration(db, {
				name: required(o, 'name'),
				origins: required(o, 'origins'),
				createdBy: 'cli'
			});
			audit(db, {
				action: 'embed.created',
				actor: CLI_ACTOR,
				target: `embed:${created.id}`,
				details: { name: created.name, origins: created.origins }
			});
			if (o.json) out(JSON.stringify({ id: created.id, secret: created.secret }));
			else {
				out(`embed integration ${created.id} (${created.name}) created; its secret is shown only this once:`);
				out(created.secret);
			}
			return;
		}
		case 'list': {
			const o = options(args, [], ['json']);
			const rows = listIntegrations(db);
			if (o.json) {
				out(JSON.stringify(rows));
				return;
			}
			out(['ID', 'NAME', 'ORIGINS', 'REVOKED BEFORE', 'CREATED'].join('  '));
			for (const r of rows)
				out([r.id, r.name, r.origins.join(','), date(r.revokedBefore), date(r.createdAt)].join('  '));
			return;
		}
		case 'revoke': {
			const id = required(options(args, ['id']), 'id');
			const revoked = revokeIntegration(db, id);
			audit(db, {
				action: 'embed.revoked',
				actor: CLI_ACTOR,
				target: `embed:${id}`,
				details: { name: revoked.name }
			});
			out(
				`embed integration ${id} (${revoked.name}): tokens issued before ${date(revoked.revokedBefore)} refused`
			);
			return;
		}
		case 'remove': {
			const id = required(options(args, ['id']), 'id');
			if (!getIntegration(db, id))
				throw new EmbedError('not_found', `No embed integration with the id ${id}`);
			const removed = removeIntegration(db, id);
			audit(db, {
				action: 'embed.removed',
				actor: CLI_ACTOR,
				target: `embed:${id}`,
				details: { name: removed.name }
			});
			out(`embed integration ${id} (${removed.name}) removed`);
			return;
		}
		default:
			throw new EmbedUsageError(
				sub ? `Unknown command: embed ${sub}` : 'embed needs add, list, revoke or remove'
			);
	}
}
