import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '$lib/server/db';
import { mirrorToPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { cellsOf, randomHistory } from './derive-testing';
import { cellKey, completeCuboids, CUBOIDS, DAY_ONLY_CUBOIDS } from './rollups';
import { writeWithRollups } from './testing';

// A database whose cells were built before a cuboid was appended to CUBOIDS (team × agent × reason, migration 0022)
// has no cells of it: opening it builds them from the stored events, exactly as the writer would have, on both
// engines, and leaves every other cell as it was.

const LAST = CUBOIDS.length - 1;

/** Takes the last cuboid's cells and combos away, as a database of the previous version has none. */
function withoutLastCuboid(db: Db): void {
	db.$client.exec(
		`DELETE FROM metric_cells WHERE key >= ${cellKey(LAST, 0, 0)};
		 DELETE FROM metric_day_cells WHERE key >= ${cellKey(LAST, 0, 0)};
		 DELETE FROM metric_combos WHERE cuboid = ${LAST};`
	);
}

function load(file: string): Db {
	const db = openDatabase(file);
	for (const batch of randomHistory(7, 500)) writeWithRollups(db, batch, { sourceId: 1 });
	return db;
}

const dirs: string[] = [];
const pgs: TestPostgres[] = [];
afterAll(async () => {
	for (const pg of pgs.splice(0)) await pg.close();
	for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('cells of an appended cuboid are built when the database is opened', () => {
	it('SQLite: reopening an upgraded file builds team × agent × reason, the same cells the writer keeps', async () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'cuboids-'));
		dirs.push(dir);
		const file = path.join(dir, 'old.db');
		const db = load(file);
		const maintained = await cellsOf(db);
		const last = maintained.filter((c) => (c as { cuboid: number }).cuboid === LAST);
		// Agents × reasons of many values, including events without an agent or a reason ('').
		expect(last.length).toBeGreaterThan(100);
		expect(new Set(last.map((c) => (c as { v3: string }).v3)).size).toBeGreaterThan(3);
		// Day cells only (DAY_ONLY_CUBOIDS): what is rebuilt below has no hour cell of it either.
		expect(DAY_ONLY_CUBOIDS.has(LAST)).toBe(true);
		expect(new Set(last.map((c) => (c as { level: string }).level))).toStrictEqual(new Set(['day']));
		withoutLastCuboid(db);
		expect((await cellsOf(db)).length).toBe(maintained.length - last.length);
		db.$client.close();

		const reopened = openDatabase(file);
		expect(await cellsOf(reopened)).toEqual(maintained);
		// Complete now: nothing more to do.
		expect(completeCuboids(reopened)).toBeNull();
		reopened.$client.close();
	});

	it('an empty database, or one already complete, is left alone', async () => {
		const empty = openDatabase(':memory:');
		expect(completeCuboids(empty)).toBeNull();
		const db = load(':memory:');
		const before = await cellsOf(db);
		expect(completeCuboids(db)).toBeNull();
		expect(await cellsOf(db)).toEqual(before);
	});

	it('PostgreSQL: the process that migrates builds them (another pool opened on the database)', async () => {
		const db = load(':memory:');
		const maintained = await cellsOf(db);
		withoutLastCuboid(db);
		const pg = await mirrorToPostgres(db);
		pgs.push(pg);
		expect((await cellsOf(pg.db)).length).toBeLessThan(maintained.length);
		const other = await pg.another();
		expect(await cellsOf(other)).toEqual(maintained);
	}, 60_000);
});
