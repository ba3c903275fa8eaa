import { error } from '@sveltejs/kit';
import { inArray, sql, type Column, type SQL } from 'drizzle-orm';
import type { AuthUser } from './types';

/**
 * What part of the center a caller may see. `teams: null` is every team (admins, executives, researchers);
 * a manager's scope is the list of teams they are bound to (possibly empty: then nothing).
 */
export interface Scope {
	teams: string[] | null;
}

export const ALL_TEAMS: Scope = Object.freeze({ teams: null }) as Scope;

export function scopeOf(user: Pick<AuthUser, 'role' | 'teams'>): Scope {
	return user.role === 'manager' ? { teams: [...new Set(user.teams)].sort() } : { teams: null };
}

export function canSeeTeam(scope: Scope, teamId: string | null | undefined): boolean {
	if (scope.teams === null) return true;
	return teamId !== null && teamId !== undefined && scope.teams.includes(teamId);
}

/** Accepts `?team=a,b`, repeated params or an array; blanks dropped, duplicates merged, order kept. */
export function parseTeamFilter(requested: string | readonly string[] | null | undefined): string[] {
	const values = typeof requested === 'string' ? [requested] : (requested ?? []);
	return [
		...new Set(
			values
				.flatMap((v) => v.split(','))
				.map((v) => v.trim())
				.filter(Boolean)
		)
	];
}

/**
 * Intersects a requested team filter with the scope; the result is what a query must be limited to
 * (null = no team limit). A manager asking for nothing gets their teams; asking for a team outside their scope
 * is refused with 403 (never silently dropped, so a shared link cannot show a misleading total).
 */
export function restrictTeams(scope: Scope, requested?: string | readonly string[] | null): string[] | null {
	const wanted = parseTeamFilter(requested);
	if (scope.teams === null) return wanted.length ? wanted : null;
	if (wanted.length === 0) return [...scope.teams];
	const outside = wanted.filter((team) => !scope.teams?.includes(team));
	if (outside.length) throw forbiddenTeams(outside);
	return wanted;
}

/** Throws 403 unless the scope includes this team (for a URL naming one team, e.g. a drill-down). */
export function assertTeamVisible(scope: Scope, teamId: string): void {
	if (!canSeeTeam(scope, teamId)) throw forbiddenTeams([teamId]);
}

function forbiddenTeams(teams: string[]) {
	return error(403, {
		code: 'forbidden_team',
		message: `Not allowed to see team ${teams.join(', ')}: outside your teams`
	});
}

/**
 * The SQL condition limiting a team column to the restricted teams (from `restrictTeams`), or undefined for no
 * limit. An empty list matches nothing.
 */
export function teamCondition(column: Column, teams: string[] | null): SQL | undefined {
	if (teams === null) return undefined;
	// `1 = 0`, not `0`: PostgreSQL wants a boolean in WHERE.
	return teams.length ? inArray(column, teams) : sql`1 = 0`;
}
