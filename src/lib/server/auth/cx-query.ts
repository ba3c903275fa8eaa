import type { CxQuery } from '$lib/server/metrics';
import { parseCxQuery } from '$lib/server/metrics/query';
import { apiError } from './api-error';
import { requireUser } from './guard';
import { restrictTeams, scopeOf } from './scope';

/**
 * The prologue of every API route that answers a CX query (`/api/v1/kpis`, `/metrics/drivers`, `/cases/kpis`,
 * `/value`): the caller signed in (401 otherwise), the query parsed under their scope (400 naming the parameter),
 * and a team filter outside a manager's teams refused with 403, never silently narrowed.
 */
export function scopedCxQuery(
	locals: App.Locals,
	params: URLSearchParams,
	now = Date.now()
): { query: CxQuery } | { refused: Response } {
	const scope = scopeOf(requireUser(locals));
	const parsed = parseCxQuery(params, scope, now);
	if (!parsed.ok)
		return {
			refused: apiError(400, parsed.error.message, 'invalid_parameter', { parameter: parsed.error.parameter })
		};
	restrictTeams(scope, parsed.query.filters.team);
	return { query: parsed.query };
}
