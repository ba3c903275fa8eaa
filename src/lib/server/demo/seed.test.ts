import { describe, expect, it } from 'vitest';
import { openDatabase } from '$lib/server/db';
import { AGENTS, TEAMS } from './catalog';
import { isDatabaseEmpty, seedDemo, type SeedProgress } from './seed';
import { isLuhnValid, isValidResidentId } from './comments';

const NOW = Date.UTC(2025, 5, 1, 4);

describe('seedDemo', () => {
	it('seeds named teams and agents and a short history into an empty database, once', async () => {
		const db = openDatabase(':memory:');
		expect(await isDatabaseEmpty(db)).toBe(true);
		const progress: SeedProgress[] = [];
		const result = await seedDemo(db, { seed: 1, days: 3, now: NOW, onProgress: (p) => progress.push(p) });
		const count = (sql: string) => (db.$client.prepare(sql).get() as { n: number }).n;

		expect(result.skipped).toBe(false);
		expect(result.events).toBeGreaterThan(15_000);
		expect(count('SELECT count(*) AS n FROM events')).toBe(result.events);
		for (const type of ['contact', 'feedback', 'journey', 'identify'] as const)
			expect(result.byType[type]).toBeGreaterThan(0);
		expect(count('SELECT count(*) AS n FROM customers WHERE segment IS NOT NULL')).toBe(
			result.byType.identify
		);
		expect(count("SELECT count(*) AS n FROM events WHERE type = 'contact' AND segment IS NULL")).toBe(0);

		expect(result.teams).toBe(TEAMS.length);
		expect(result.agents).toBe(AGENTS.length);
		const team = db.$client.prepare("SELECT name, name_en FROM teams WHERE id = 't-cc1'").get();
		expect(team).toEqual({ name: '信用卡一组', name_en: 'Credit Card Team 1' });
		const agent = db.$client.prepare("SELECT name, team_id FROM agents WHERE id = 'a-0001'").get();
		expect(agent).toEqual({ name: AGENTS[0].name, team_id: AGENTS[0].teamId });
		// Names survive the writer, which registers teams and agents first seen in events by their ids.
		expect(count('SELECT count(*) AS n FROM teams WHERE name = id')).toBe(0);
		expect(count('SELECT count(*) AS n FROM agents WHERE name = id')).toBe(0);
		const reason = db.$client
			.prepare("SELECT label FROM dimension_values WHERE dimension = 'reason' AND value = 'lost_card'")
			.get();
		expect(reason).toEqual({ label: '挂失补卡' });

		expect(progress.length).toBeGreaterThan(2);
		for (let i = 1; i < progress.length; i++)
			expect(progress[i].done).toBeGreaterThanOrEqual(progress[i - 1].done);
		expect(progress.slice(0, -1).every((p) => p.percent < 100)).toBe(true);
		expect(progress[progress.length - 1]).toMatchObject({ done: result.events, percent: 100 });
		expect(progress[0].day).toMatch(/^\d{4}-\d{2}-\d{2}$/);

		expect(await isDatabaseEmpty(db)).toBe(false);
		const again = await seedDemo(db, { seed: 1, days: 3, now: NOW });
		expect(again.skipped).toBe(true);
		expect(count('SELECT count(*) AS n FROM events')).toBe(result.events);
		db.$client.close();
		// Three days of history take ~10 s alone, longer on a busy machine.
	}, 60_000);

	it('stores the free text of the history redacted, as the ingestion pipeline does', async () => {
		const db = openDatabase(':memory:');
		await seedDemo(db, { seed: 2, days: 3, now: NOW });
		const texts = db.$client
			.prepare('SELECT text FROM events WHERE text IS NOT NULL')
			.pluck()
			.all() as string[];
		expect(texts.length).toBeGreaterThan(1000);
		expect(texts.some((t) => /\[(手机号|身份证号|卡号|邮箱)\]/.test(t))).toBe(true);
		for (const text of texts) {
			expect(text).not.toMatch(/(?<!\d)1[3-9]\d{9}(?!\d)/);
			for (const digits of text.match(/\d{16,19}|\d{17}[\dXx]/g) ?? []) {
				expect(isLuhnValid(digits), digits).toBe(false);
				expect(isValidResidentId(digits), digits).toBe(false);
			}
		}
		db.$client.close();
	}, 60_000);
});
