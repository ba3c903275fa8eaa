import type { PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { requireUser } from '$lib/server/auth/guard';
import { restrictTeams, scopeOf } from '$lib/server/auth/scope';
import { listTeamsWithAgents } from '$lib/server/directory/teams';
import * as risk from '$lib/server/risk';

/**
 * The risk list (风险防范): customers by complaint risk in the next 14 days with their top reasons, a manager's
 * limited to their teams, beside the model's held-out quality (never a score without it).
 */
export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireUser(locals);
	const scope = scopeOf(user);
	const team = url.searchParams.get('team') || '';
	const minScore = Math.min(1, Math.max(0, Number(url.searchParams.get('minScore')) || 0));
	const cursor = url.searchParams.get('cursor');
	const teams = restrictTeams(scope, team || undefined);
	const model = await risk.currentModel(storage());
	return {
		filter: { team, minScore },
		model: model ? risk.summarizeModel(model) : null,
		page: await risk.listRisk(storage(), {
			minScore,
			teams,
			limit: 50,
			cursor: cursor && risk.decodeCursor(cursor) ? cursor : null
		}),
		teams: (await listTeamsWithAgents(storage(), scope.teams)).map((t) => ({ id: t.id, name: t.name })),
		canTrain: user.role === 'admin'
	};
};
