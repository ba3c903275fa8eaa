import { audit } from '$lib/server/auth/audit';
import { copySqliteToPostgres } from '$lib/server/db/copy';
import { openPostgres, postgresOptionsFromEnv } from '$lib/server/db/postgres';
import { postgresStorage } from '$lib/server/db/storage';
import { DatabaseUrlError, describeDatabase, parseDatabaseUrl } from '$lib/server/db/url';
import { CLI_ACTOR, Refused, UsageError, options, required, type CommandGroup } from './args';

/**
 * `migrate-to --url postgres://…`: copies the whole SQLite database of DATABASE_URL into an empty PostgreSQL
 * database (migrated first), verified by row counts table by table (db/copy.ts). Run it with the server stopped;
 * then start the servers with DATABASE_URL set to the PostgreSQL URL.
 */
export const migrateCommands: CommandGroup = {
	name: 'migrate-to',
	usage: [
		'migrate-to --url postgres://…   copy this SQLite database into an empty PostgreSQL database, verified by row counts'
	],
	async run({ db, target, io }, sub, args) {
		const o = options([sub, ...args].filter(Boolean), ['url']);
		const url = required(o, 'url');
		let destination;
		try {
			destination = parseDatabaseUrl(url);
		} catch (error) {
			if (error instanceof DatabaseUrlError)
				throw new UsageError(error.message.replace('DATABASE_URL', '--url'));
			throw error;
		}
		if (destination.engine !== 'postgres') throw new UsageError('--url: expected a postgres:// URL');
		if (target.engine !== 'sqlite')
			throw new Refused('migrate-to copies from SQLite: DATABASE_URL must name the SQLite file');
		const source = db();
		const pg = await openPostgres(destination.url, {
			...postgresOptionsFromEnv(io.env),
			pool: 2,
			applicationName: 'resonance-admin'
		});
		try {
			const started = Date.now();
			let report;
			try {
				report = await copySqliteToPostgres(source, pg, {
					onTable: (table, rows) => io.out(`  ${table.padEnd(24)} ${rows}`)
				});
			} catch (error) {
				if (error instanceof Error && error.message.startsWith('migrate-to:'))
					throw new Refused(error.message.slice(12));
				throw error;
			}
			// The planner's statistics of the filled tables, at once: queries planned on those of empty tables (as
			// the copy leaves them until autovacuum gets there) can run for minutes.
			await pg.$client`ANALYZE`;
			const seconds = ((Date.now() - started) / 1000).toFixed(1);
			await audit(postgresStorage(pg), {
				action: 'data.imported',
				actor: CLI_ACTOR,
				target: describeDatabase(destination),
				details: { from: target.file, rows: report.rows, tables: report.tables.length }
			});
			io.out(
				`${report.rows} rows in ${report.tables.length} tables copied to ${describeDatabase(destination)} in ${seconds} s; row counts match; statistics refreshed (ANALYZE)`
			);
		} finally {
			await pg.$client.end({ timeout: 5 });
		}
	}
};
