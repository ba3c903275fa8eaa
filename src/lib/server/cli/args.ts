import { parseArgs } from 'node:util';
import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import type { DatabaseTarget } from '$lib/server/db/url';
import { ROLES, type Role } from '$lib/server/db/schema';
import { isRole } from '$lib/server/auth/users';

/** What a command writes to and reads from: the environment and two line printers (stdout, stderr). */
export interface AdminIo {
	env: Record<string, string | undefined>;
	out: (line: string) => void;
	err: (line: string) => void;
}

/** A mistake in the command line: usage is printed and the exit code is 2. */
export class UsageError extends Error {}

/** A command that was understood but refused (the database says no): exit code 1. */
export class Refused extends Error {}

/** Who the audit log names for what a shell did. */
export const CLI_ACTOR = { id: null, email: 'cli' };

/** One command group (`user`, `key`, …): its usage lines and how it runs a subcommand. */
export interface CommandGroup {
	name: string;
	usage: string[];
	run(context: CommandContext, sub: string, args: string[]): Promise<void> | void;
}

export interface CommandContext {
	/**
	 * DATABASE_URL's SQLite database, opened (and migrated) at the first call; `restore` calls it only after replacing
	 * the file. Refused on PostgreSQL: commands that work on both engines use `storage`.
	 */
	db: () => Db;
	/** DATABASE_URL's database, whichever engine, opened (and migrated) at the first call. */
	storage: () => Promise<Storage>;
	/** DATABASE_URL parsed (db/url.ts). */
	target: DatabaseTarget;
	io: AdminIo;
}

type Options = Record<string, string | undefined>;

/** Parses `--name value` options (only those named); anything else is a usage error. */
export function options(args: string[], names: string[], flags: string[] = []): Options {
	const spec = Object.fromEntries([
		...names.map((n) => [n, { type: 'string' as const }]),
		...flags.map((n) => [n, { type: 'boolean' as const }])
	]);
	try {
		const values = parseArgs({ args, options: spec, strict: true, allowPositionals: false }).values;
		return Object.fromEntries(
			Object.entries(values).map(([k, v]) => [k, v === true ? 'true' : typeof v === 'string' ? v : undefined])
		);
	} catch (error) {
		throw new UsageError(error instanceof Error ? error.message : String(error));
	}
}

export function required(values: Options, name: string): string {
	const value = values[name]?.trim();
	if (!value) throw new UsageError(`--${name} is required`);
	return value;
}

export function role(value: string | undefined): Role {
	if (!value || !isRole(value)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
	return value;
}

export function positiveId(value: string, name = 'id', what = 'an id'): number {
	const id = Number(value);
	if (!Number.isInteger(id) || id <= 0)
		throw new UsageError(`--${name} must be ${what} (a positive integer)`);
	return id;
}

/** Columns padded to their widest cell. */
export function table(rows: string[][]): string[] {
	const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
	return rows.map((r) =>
		r
			.map((cell, i) => cell.padEnd(widths[i]))
			.join('  ')
			.trimEnd()
	);
}

export function date(ms: number | null): string {
	return ms === null ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

export function unknownCommand(group: string, sub: string): never {
	throw new UsageError(`Unknown command: ${[group, sub].filter(Boolean).join(' ')}`);
}
