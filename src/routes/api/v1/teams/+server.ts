import { json } from '@sveltejs/kit';
import { z } from 'zod';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { requireUser } from '$lib/server/auth/guard';
import { apiError } from '$lib/server/auth/api-error';
import { restrictTeams, scopeOf } from '$lib/server/auth/scope';
import { listTeamsWithAgents } from '$lib/server/directory/teams';

const Query = z.object({ team: z.array(z.string().max(64)).max(100) });

/** GET /api/v1/teams[?team=a,b]: the teams (with agents) the caller may see; a manager only their own. */
export const GET: RequestHandler = async ({ locals, url }) => {
	const user = requireUser(locals);
	const query = Query.safeParse({ team: url.searchParams.getAll('team') });
	if (!query.success) return apiError(400, 'Invalid team filter', 'bad_request', z.flattenError(query.error));
	const visible = restrictTeams(scopeOf(user), query.data.team);
	return json({ teams: await listTeamsWithAgents(storage(), visible) });
};
