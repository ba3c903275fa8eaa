import type { PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireUser } from '$lib/server/auth/guard';
import { restrictTeams, scopeOf } from '$lib/server/auth/scope';
import { listTeamsWithAgents } from '$lib/server/directory/teams';
import * as cases from '$lib/server/cases';

const DAY = 86_400_000;

/**
 * The follow-up queue (回访): a manager's own teams, the most urgent first, with the follow-up rates of the last
 * 30 days (executives and researchers see the rates and the queue; managers and admins work it).
 */
export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireUser(locals);
	const scope = scopeOf(user);
	const params = Object.fromEntries(url.searchParams);
	const parsed = cases.caseFilterSchema.safeParse({ ...params, status: params.status || undefined });
	const filter = parsed.success ? parsed.data : cases.caseFilterSchema.parse({});
	if (filter.team) restrictTeams(scope, filter.team);
	const db = storage();
	const now = Date.now();
	const teams = filter.team ? [filter.team] : undefined;
	return {
		filter: {
			...filter,
			status: filter.status ?? '',
			assignee: filter.assignee ?? '',
			team: filter.team ?? ''
		},
		page: await cases.listCases(db, scope, filter, user, now),
		counts: await cases.caseCounts(db, scope, now),
		kpis: await cases.caseKpis(
			db,
			{ from: now - 30 * DAY, to: now, filters: teams ? { team: teams } : {}, scope },
			now
		),
		teams: (await listTeamsWithAgents(db, scope.teams)).map((t) => ({ id: t.id, name: t.name })),
		canWork: user.role === 'admin' || user.role === 'manager',
		slaHours: await cases.getSlaHours(db),
		now
	};
};
