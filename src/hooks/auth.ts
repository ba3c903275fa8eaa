import type { Handle } from '@sveltejs/kit';
import { storage } from '$lib/server/db';
import { apiError, normalizeApiError } from '$lib/server/auth/api-error';
import { isApiPath, rememberRequest } from '$lib/server/auth/guard';
import {
	bearerToken,
	isReadKeyText,
	isWriteKeyText,
	readKeyUser,
	verifyReadKey
} from '$lib/server/auth/keys';
import { isPublicPath } from '$lib/server/auth/public-routes';
import {
	SESSION_COOKIE,
	deleteSessionCookie,
	setSessionCookie,
	validateSessionToken
} from '$lib/server/auth/session';

/**
 * Who is asking: a read key (`Authorization: Bearer rsn_r_…`, JSON API only) or the session cookie. Sets
 * locals.user/session; answers an anonymous call to a non-public JSON API with 401 right here, and gives every
 * JSON API error the `{"error":{"code","message"}}` shape. Pages and handlers still check roles themselves (guard.ts).
 */
export const handleAuth: Handle = async ({ event, resolve }) => {
	const { locals, url, cookies, request } = event;
	locals.user = null;
	locals.session = null;
	rememberRequest(locals, url);
	const db = storage();
	const api = isApiPath(url.pathname);
	const secure = url.protocol === 'https:';

	const bearer = bearerToken(request.headers.get('authorization'));
	// Read keys only read, write keys only ingest (DESIGN.md "Webhooks"): refused before any handler runs.
	if (bearer && isReadKeyText(bearer) && !isSafeMethod(request.method))
		return apiError(403, 'A read key only reads: send GET requests with it', 'read_only_key');
	if (bearer && isWriteKeyText(bearer) && api && !isPublicPath(url.pathname, request.method))
		return apiError(403, 'A write key only sends events to the ingestion routes', 'write_only_key');
	if (api && bearer && isReadKeyText(bearer)) {
		const identity = await verifyReadKey(db, bearer);
		if (identity) locals.user = readKeyUser(identity);
		else if (!isPublicPath(url.pathname, request.method))
			return apiError(401, 'The read key is unknown or revoked', 'invalid_key');
	} else {
		const token = cookies.get(SESSION_COOKIE);
		if (token) {
			const validated = await validateSessionToken(db, token);
			if (validated) {
				locals.user = validated.user;
				locals.session = validated.session;
				if (validated.renewed) setSessionCookie(cookies, token, validated.session.expiresAt, secure);
			} else deleteSessionCookie(cookies, secure);
		}
	}

	if (api && !locals.user && !isPublicPath(url.pathname, request.method))
		return apiError(401, 'Sign in or send a valid read key (Authorization: Bearer …)', 'unauthorized');

	// A browser opening an API URL asks for HTML; answer JSON anyway, so thrown errors keep their message and code.
	if (api && (request.method === 'GET' || request.method === 'HEAD')) {
		const accept = request.headers.get('accept') ?? '';
		if (!accept.includes('application/json') && !accept.includes('text/event-stream')) {
			const headers = new Headers(request.headers);
			headers.set('accept', 'application/json');
			event.request = new Request(request, { headers });
		}
	}

	const response = await resolve(event);
	return api ? normalizeApiError(response) : response;
};

/** Methods that change nothing (a read key may use only these). */
export function isSafeMethod(method: string): boolean {
	return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}
