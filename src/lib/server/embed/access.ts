import type { Scope } from '$lib/server/auth/scope';
import { listParam } from '$lib/components/filters/filter-state';
import { KEYED_TYPES, PERIOD_PARAMS, type EmbedClaims, type ResourceType } from './token';

/**
 * What an embed request may see: the path must name the token's resource, and the query may change only the
 * parameters the token lists in `params`. The answer is the view's effective filter parameters, built from the
 * token's locked filters (never from the URL) plus the viewer's permitted choices, and the team scope they imply.
 * Every data path of an embed (page, export, stream) reads its query from here, so a locked filter cannot be
 * escaped on any of them. A locked filter the view cannot apply is refused rather than ignored (fail closed).
 */

/** The filter parameters each view applies. */
export const VIEW_FILTERS: Record<ResourceType, readonly string[]> = {
	wallboard: ['range', 'from', 'to', 'channel', 'segment', 'team', 'journey', 'region'],
	kpis: ['range', 'from', 'to', 'channel', 'segment', 'team', 'journey', 'region'],
	trend: ['range', 'from', 'to', 'channel', 'segment', 'team', 'journey', 'region'],
	funnel: ['from', 'to', 'segment', 'channel', 'team'],
	paths: ['from', 'to', 'segment', 'channel', 'team'],
	customer: ['team']
};

/** Parameters that choose how a view is shown, not what data it reads; always allowed. */
export const VIEW_MODE_PARAMS: Record<ResourceType, readonly string[]> = {
	wallboard: ['token', 'tv', 'rotate'],
	kpis: ['token'],
	trend: ['token'],
	funnel: ['token'],
	paths: ['token'],
	customer: ['token']
};

/** Views whose journey queries take one value a filter. */
const SINGLE_VALUE: readonly ResourceType[] = ['funnel', 'paths'];

export type EmbedAccess =
	| { ok: true; params: URLSearchParams; scope: Scope }
	| {
			ok: false;
			code: 'wrong_resource' | 'locked_filter' | 'not_a_param' | 'filter_unsupported';
			message: string;
	  };

const refuse = (code: Exclude<EmbedAccess, { ok: true }>['code'], message: string): EmbedAccess => ({
	ok: false,
	code,
	message
});

function sameSet(a: readonly string[], b: readonly string[]): boolean {
	const x = [...new Set(a)].sort();
	const y = [...new Set(b)].sort();
	return x.length === y.length && x.every((v, i) => v === y[i]);
}

export function embedAccess(
	claims: Pick<EmbedClaims, 'res' | 'filters' | 'params'>,
	type: string,
	key: string | null,
	query: URLSearchParams
): EmbedAccess {
	const res = claims.res;
	if (type !== res.type) return refuse('wrong_resource', `The token is for a ${res.type} view, not ${type}`);
	const keyed = KEYED_TYPES.includes(res.type);
	if (keyed ? key === null || key !== res.key : key !== null)
		return refuse('wrong_resource', `The token is for ${res.type}${res.key ? `/${res.key}` : ''} only`);

	const supported = VIEW_FILTERS[res.type];
	const locked = claims.filters;
	for (const [name, values] of Object.entries(locked)) {
		if (!supported.includes(name))
			return refuse('filter_unsupported', `The ${res.type} view cannot apply the locked filter ${name}`);
		if (SINGLE_VALUE.includes(res.type) && values.length > 1)
			return refuse('filter_unsupported', `The ${res.type} view takes one value of ${name}`);
	}
	const periodLocked = PERIOD_PARAMS.some((p) => p in locked);

	for (const name of new Set(query.keys())) {
		if (VIEW_MODE_PARAMS[res.type].includes(name)) continue;
		const values = listParam(query, name);
		if (name in locked) {
			if (!sameSet(values, locked[name]))
				return refuse('locked_filter', `The filter ${name} is locked by the token`);
			continue;
		}
		if (periodLocked && (PERIOD_PARAMS as readonly string[]).includes(name))
			return refuse('locked_filter', `The period is locked by the token`);
		if (!claims.params.includes(name) || !supported.includes(name))
			return refuse('not_a_param', `The parameter ${name} may not be changed here`);
	}

	const params = new URLSearchParams();
	for (const name of supported) {
		const values = name in locked ? locked[name] : listParam(query, name);
		for (const v of values) params.append(name, v);
	}
	return { ok: true, params, scope: { teams: 'team' in locked ? [...locked.team] : null } };
}
