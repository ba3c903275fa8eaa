import type { RequestEvent } from '@sveltejs/kit';
import { apiError } from '$lib/server/auth/api-error';
import { clientIp } from '$lib/server/auth/request';
import { scopeOf } from '$lib/server/auth/scope';
import type { AuthUser } from '$lib/server/auth/types';
import { AudienceError, type AudienceActor } from './audiences';
import { AudienceInputError } from './rules';

/** Small helpers of the audience endpoints (the routes stay parse → guard → lib → respond). */

export function audienceActor(user: AuthUser, event: Pick<RequestEvent, 'getClientAddress'>): AudienceActor {
	return { id: user.id, email: user.email, ip: clientIp(event), scope: scopeOf(user) };
}

/** An audience id from the route, or null. */
export function audienceId(value: string | undefined): number | null {
	if (!value || !/^\d{1,12}$/.test(value)) return null;
	const id = Number(value);
	return id > 0 ? id : null;
}

/** The outreach module's errors as `{"error":{"code","message","details"}}`; others rethrown (403s of the scope). */
export function audienceErrorResponse(error: unknown): Response {
	if (error instanceof AudienceInputError)
		return apiError(400, error.message, 'invalid_parameter', { parameter: error.field });
	if (error instanceof AudienceError) return apiError(error.status, error.message, error.code);
	throw error;
}
