import { isHttpError } from '@sveltejs/kit';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '$lib/server/db';
import { agents, teams } from '$lib/server/db/schema';
import {
	assertTeamVisible,
	canSeeTeam,
	parseTeamFilter,
	restrictTeams,
	scopeOf,
	teamCondition
} from './scope';

const manager = { role: 'manager' as const, teams: ['t-cc2', 't-cc1', 't-cc1'] };

function status(fn: () => unknown): number | undefined {
	try {
		fn();
	} catch (error) {
		if (isHttpError(error)) return error.status;
		throw error;
	}
	return undefined;
}

describe('scopeOf', () => {
	it('gives managers their teams and everyone else all teams', () => {
		expect(scopeOf(manager)).toEqual({ teams: ['t-cc1', 't-cc2'] });
		for (const role of ['admin', 'executive', 'researcher'] as const)
			expect(scopeOf({ role, teams: ['ignored'] })).toEqual({ teams: null });
		expect(scopeOf({ role: 'manager', teams: [] })).toEqual({ teams: [] });
	});
});

describe('restrictTeams', () => {
	it('lets unrestricted roles filter freely, or see all', () => {
		expect(restrictTeams({ teams: null })).toBeNull();
		expect(restrictTeams({ teams: null }, 't-vip')).toEqual(['t-vip']);
	});

	it('gives a manager who asks for nothing their own teams', () => {
		expect(restrictTeams(scopeOf(manager))).toEqual(['t-cc1', 't-cc2']);
		expect(restrictTeams(scopeOf(manager), '')).toEqual(['t-cc1', 't-cc2']);
		expect(restrictTeams(scopeOf(manager), [])).toEqual(['t-cc1', 't-cc2']);
	});

	it('keeps a manager’s request inside their teams', () => {
		expect(restrictTeams(scopeOf(manager), 't-cc2')).toEqual(['t-cc2']);
		expect(restrictTeams(scopeOf(manager), ['t-cc1,t-cc2'])).toEqual(['t-cc1', 't-cc2']);
	});

	it('refuses with 403 when a manager asks for another team, even alongside their own', () => {
		expect(status(() => restrictTeams(scopeOf(manager), 't-vip'))).toBe(403);
		expect(status(() => restrictTeams(scopeOf(manager), ['t-cc1', 't-vip']))).toBe(403);
		expect(status(() => assertTeamVisible(scopeOf(manager), 't-vip'))).toBe(403);
		expect(status(() => assertTeamVisible(scopeOf(manager), 't-cc1'))).toBeUndefined();
	});

	it('parses comma lists and repeats', () => {
		expect(parseTeamFilter(['a, b', 'b', ' ', 'c'])).toEqual(['a', 'b', 'c']);
		expect(parseTeamFilter(null)).toEqual([]);
	});

	it('answers canSeeTeam', () => {
		expect(canSeeTeam(scopeOf(manager), 't-cc1')).toBe(true);
		expect(canSeeTeam(scopeOf(manager), 't-vip')).toBe(false);
		expect(canSeeTeam(scopeOf(manager), null)).toBe(false);
		expect(canSeeTeam({ teams: null }, null)).toBe(true);
	});
});

describe('teamCondition', () => {
	it('limits a query to the restricted teams; an empty list matches nothing', () => {
		const db = openDatabase(':memory:');
		for (const id of ['t-cc1', 't-cc2', 't-vip'])
			db.insert(teams).values({ id, name: id, firstSeen: 0 }).run();
		db.insert(agents).values({ id: 'a1', name: 'A', teamId: 't-vip', firstSeen: 0 }).run();
		const ids = (limit: string[] | null) =>
			db
				.select({ id: teams.id })
				.from(teams)
				.where(teamCondition(teams.id, limit))
				.all()
				.map((r) => r.id)
				.sort();
		expect(ids(null)).toEqual(['t-cc1', 't-cc2', 't-vip']);
		expect(ids(restrictTeams(scopeOf(manager)))).toEqual(['t-cc1', 't-cc2']);
		expect(ids([])).toEqual([]);
	});
});
