import { parseArgs } from 'node:util';
import { databasePathFromEnv, openDatabase, type Db } from '$lib/server/db';
import { ROLES, type Role } from '$lib/server/db/schema';
import { journeyCatalog } from '$lib/server/journeys/registry';
import { restitchAll } from '$lib/server/journeys/stitch';
import { rebuildRollups } from '$lib/server/metrics/rollups';
import { EMBED_USAGE, EmbedUsageError, runEmbedCommand } from '$lib/server/embed/cli';
import { EmbedError } from '$lib/server/embed/integrations';
import { audit } from './audit';
import { KeyError, addReadKey, addWriteKey, getKey, listKeys, parseOrigins, revokeKey } from './keys';
import {
	AccountError,
	createUser,
	findUserByEmail,
	isRole,
	listUsers,
	parseTeams,
	setUserDisabled,
	setUserPassword
} from './users';

/**
 * `npm run admin -- <command>`: administration from a shell, against DATABASE_URL (migrated first). The same lib
 * functions as the admin pages; scripts/admin.js bundles this file with esbuild and calls `runAdmin`.
 */
export interface AdminIo {
	env: Record<string, string | undefined>;
	out: (line: string) => void;
	err: (line: string) => void;
}

export const USAGE = `Usage: npm run admin -- <command> [options]

  user add --email E --password P --role admin|executive|researcher|manager [--teams t1,t2] [--name N]
  user list
  user disable --email E
  user enable --email E
  user password --email E --password P
  key add --name N --kind write|read [--role R] [--teams t1,t2] [--source ID] [--origins https://a,https://b]
  key list
  key revoke --id I
  data rebuild-rollups            rebuild the KPI rollup cells from the stored events
  data restitch [--journey K]     rebuild journey instances from the stored events (all journeys, or one)
${EMBED_USAGE}

Environment: DATABASE_URL (default ./data/resonance.db). Exit codes: 0 done, 1 refused, 2 bad arguments.`;

/** A mistake in the command line: usage is printed and the exit code is 2. */
class UsageError extends Error {}

const CLI_ACTOR = { id: null, email: 'cli' };

type Options = Record<string, string | undefined>;
type Spec = Record<string, { type: 'string' }>;

function options(args: string[], names: string[]): Options {
	const spec: Spec = Object.fromEntries(names.map((n) => [n, { type: 'string' as const }]));
	try {
		return parseArgs({ args, options: spec, strict: true, allowPositionals: false }).values as Options;
	} catch (error) {
		throw new UsageError(error instanceof Error ? error.message : String(error));
	}
}

function required(values: Options, name: string): string {
	const value = values[name]?.trim();
	if (!value) throw new UsageError(`--${name} is required`);
	return value;
}

function role(value: string | undefined): Role {
	if (!value || !isRole(value)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
	return value;
}

function table(rows: string[][]): string[] {
	const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
	return rows.map((r) =>
		r
			.map((cell, i) => cell.padEnd(widths[i]))
			.join('  ')
			.trimEnd()
	);
}

function date(ms: number | null): string {
	return ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

function userByEmail(db: Db, email: string) {
	const user = findUserByEmail(db, email);
	if (!user) throw new AccountError('not_found', `No user with the e-mail ${email}`);
	return user;
}

async function run(db: Db, command: string, sub: string, args: string[], io: AdminIo): Promise<void> {
	if (command === 'embed') return runEmbedCommand(db, sub, args, io.out);
	const key = `${command} ${sub}`;
	switch (key) {
		case 'user add': {
			const o = options(args, ['email', 'password', 'role', 'teams', 'name']);
			const user = await createUser(db, {
				email: required(o, 'email'),
				password: required(o, 'password'),
				role: role(o.role),
				teams: parseTeams(o.teams),
				name: o.name
			});
			audit(db, {
				action: 'user.created',
				actor: CLI_ACTOR,
				target: user.email,
				details: { role: user.role, teams: user.teams }
			});
			io.out(
				`user ${user.email} added (${user.role}${user.teams.length ? `, teams ${user.teams.join(',')}` : ''})`
			);
			return;
		}
		case 'user list': {
			options(args, []);
			const users = listUsers(db);
			const rows = users.map((u) => [
				u.email,
				u.role,
				u.teams.join(',') || '-',
				u.disabled ? 'disabled' : 'active',
				date(u.createdAt)
			]);
			for (const line of table([['EMAIL', 'ROLE', 'TEAMS', 'STATUS', 'CREATED'], ...rows])) io.out(line);
			return;
		}
		case 'user disable':
		case 'user enable': {
			const o = options(args, ['email']);
			const user = userByEmail(db, required(o, 'email'));
			const disabled = sub === 'disable';
			setUserDisabled(db, user.id, disabled);
			audit(db, {
				action: disabled ? 'user.disabled' : 'user.enabled',
				actor: CLI_ACTOR,
				target: user.email
			});
			io.out(`user ${user.email} ${disabled ? 'disabled (signed out everywhere)' : 'enabled'}`);
			return;
		}
		case 'user password': {
			const o = options(args, ['email', 'password']);
			const user = userByEmail(db, required(o, 'email'));
			await setUserPassword(db, user.id, required(o, 'password'));
			audit(db, { action: 'user.password_reset', actor: CLI_ACTOR, target: user.email });
			io.out(`password of ${user.email} changed (signed out everywhere)`);
			return;
		}
		case 'key add': {
			const o = options(args, ['name', 'kind', 'role', 'teams', 'source', 'origins']);
			const name = required(o, 'name');
			const kind = required(o, 'kind');
			if (kind === 'write') {
				if (o.role || o.teams) throw new UsageError('--role and --teams are for read keys');
				const sourceId = o.source === undefined ? undefined : Number(o.source);
				if (sourceId !== undefined && !(Number.isInteger(sourceId) && sourceId > 0))
					throw new UsageError('--source must be a source id (a positive integer)');
				const created = addWriteKey(db, {
					name,
					sourceId,
					allowedOrigins: parseOrigins(o.origins ?? ''),
					createdBy: 'cli'
				});
				audit(db, {
					action: 'key.created',
					actor: CLI_ACTOR,
					target: `key:${created.id}`,
					details: { kind, name, sourceId: created.sourceId }
				});
				io.out(`write key ${created.id} for source ${created.sourceId} created; it is shown only this once:`);
				io.out(created.key);
				return;
			}
			if (kind === 'read') {
				if (o.source || o.origins) throw new UsageError('--source and --origins are for write keys');
				const created = addReadKey(db, {
					name,
					role: role(o.role),
					teams: parseTeams(o.teams),
					createdBy: 'cli'
				});
				audit(db, {
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
		case 'key list': {
			options(args, []);
			const rows = listKeys(db).map((k) => [
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
		case 'key revoke': {
			const o = options(args, ['id']);
			const id = Number(required(o, 'id'));
			if (!Number.isInteger(id) || id <= 0)
				throw new UsageError('--id must be a key id (a positive integer)');
			const existing = getKey(db, id);
			if (!existing) throw new KeyError('not_found', `No key with the id ${id}`);
			if (!revokeKey(db, id)) {
				io.out(`key ${id} was already revoked`);
				return;
			}
			audit(db, {
				action: 'key.revoked',
				actor: CLI_ACTOR,
				target: `key:${id}`,
				details: { kind: existing.kind, name: existing.name }
			});
			io.out(`key ${id} (${existing.name}) revoked`);
			return;
		}
		case 'data rebuild-rollups': {
			options(args, []);
			const started = performance.now();
			const { events, cells } = rebuildRollups(db);
			const seconds = (performance.now() - started) / 1000;
			audit(db, {
				action: 'data.rebuilt',
				actor: CLI_ACTOR,
				target: 'rollups',
				details: { events, cells, seconds: Math.round(seconds * 10) / 10 }
			});
			io.out(`rollups rebuilt from ${events} events: ${cells} cells in ${seconds.toFixed(1)} s`);
			return;
		}
		case 'data restitch': {
			const o = options(args, ['journey']);
			const journey = o.journey;
			if (journey !== undefined && !journeyCatalog(db).byKey.has(journey))
				throw new UsageError(`--journey must be the key of an enabled journey, not ${journey}`);
			const started = performance.now();
			const instances = restitchAll(db, journey ? { journeys: [journey] } : {});
			const seconds = (performance.now() - started) / 1000;
			audit(db, {
				action: 'data.rebuilt',
				actor: CLI_ACTOR,
				target: journey ? `journey:${journey}` : 'journeys',
				details: { instances, seconds: Math.round(seconds * 10) / 10 }
			});
			io.out(`${instances} journey instances rebuilt in ${seconds.toFixed(1)} s`);
			return;
		}
		default:
			throw new UsageError(
				command ? `Unknown command: ${[command, sub].filter(Boolean).join(' ')}` : 'No command given'
			);
	}
}

/** Runs one command; returns the process exit code (0 done, 1 refused, 2 bad arguments). */
export async function runAdmin(argv: string[], io: AdminIo): Promise<number> {
	const [command = '', sub = '', ...args] = argv;
	if (command === 'help' || command === '--help' || command === '-h') {
		io.out(USAGE);
		return 0;
	}
	if (!['user', 'key', 'data', 'embed'].includes(command)) {
		io.err(command ? `Unknown command: ${command}` : 'No command given');
		io.err(USAGE);
		return 2;
	}
	let db: Db | undefined;
	try {
		db = openDatabase(databasePathFromEnv(io.env));
		await run(db, command, sub, args, io);
		return 0;
	} catch (error) {
		if (error instanceof UsageError || error instanceof EmbedUsageError) {
			io.err(`error: ${error.message}`);
			io.err(USAGE);
			return 2;
		}
		if (error instanceof AccountError || error instanceof KeyError || error instanceof EmbedError) {
			io.err(`error: ${error.message}`);
			return 1;
		}
		throw error;
	} finally {
		db?.$client.close();
	}
}
