import type { RequestEvent } from '@sveltejs/kit';
import { apiError } from '$lib/server/auth/api-error';
import { clientIp } from '$lib/server/auth/request';
import { scopeOf } from '$lib/server/auth/scope';
import type { AuthUser } from '$lib/server/auth/types';
import { CaseError } from '$lib/server/cases';
import { RuleError, type RuleActor } from './rules';
import { AlertActionError, type AlertView } from './store';

/** Small helpers shared by the alerts and cases endpoints (the routes stay parse → guard → lib → respond). */

/** The request body as JSON, or a 400 answer. */
export async function readJson(
	request: Request
): Promise<{ ok: true; body: unknown } | { ok: false; response: Response }> {
	try {
		return { ok: true, body: await request.json() };
	} catch {
		return { ok: false, response: apiError(400, '(body): not valid JSON', 'invalid_json') };
	}
}

/** A positive integer id from a route parameter, or null. */
export function idParam(value: string | undefined): number | null {
	if (!value || !/^\d{1,12}$/.test(value)) return null;
	const id = Number(value);
	return id > 0 ? id : null;
}

/** The person changing rules; with the request, their changes are audited (who, from where). */
export function ruleActor(user: AuthUser, event?: Pick<RequestEvent, 'getClientAddress'>): RuleActor {
	return {
		email: user.email,
		role: user.role,
		scope: scopeOf(user),
		...(event ? { audit: { id: user.id, ip: clientIp(event) } } : {})
	};
}

/** The errors the alerts and cases modules throw, as `{"error":{"code","message","details"}}`; others rethrown. */
export function errorResponse(error: unknown): Response {
	if (error instanceof RuleError) return apiError(error.status, error.message, error.code, error.details);
	if (error instanceof AlertActionError || error instanceof CaseError)
		return apiError(error.status, error.message, error.code);
	throw error;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** An alert as the JSON API answers it: times as ISO-8601. */
export function apiAlert(a: AlertView) {
	return {
		...a,
		openedAt: iso(a.openedAt),
		lastSeenAt: iso(a.lastSeenAt),
		acknowledgedAt: iso(a.acknowledgedAt),
		resolvedAt: iso(a.resolvedAt),
		snoozedUntil: iso(a.snoozedUntil)
	};
}
