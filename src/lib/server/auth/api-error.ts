import { json } from '@sveltejs/kit';

/** The one shape of a JSON API error (STYLE.md rule 8). */
export interface ApiErrorBody {
	error: { code: string; message: string; details?: unknown };
}

const CODES: Record<number, string> = {
	400: 'bad_request',
	401: 'unauthorized',
	403: 'forbidden',
	404: 'not_found',
	405: 'method_not_allowed',
	409: 'conflict',
	413: 'payload_too_large',
	415: 'unsupported_media_type',
	422: 'unprocessable',
	429: 'too_many_requests',
	500: 'internal_error',
	503: 'unavailable'
};

export function codeForStatus(status: number): string {
	return CODES[status] ?? (status >= 500 ? 'internal_error' : 'error');
}

export function apiError(
	status: number,
	message: string,
	code = codeForStatus(status),
	details?: unknown,
	headers?: HeadersInit
): Response {
	const body: ApiErrorBody = { error: { code, message, ...(details === undefined ? {} : { details }) } };
	return json(body, { status, headers });
}

/**
 * Rewrites SvelteKit's own error answers under /api/ (`error(403, …)` thrown by a guard, a 404 for an unknown
 * path) into `{"error":{"code","message"}}`; answers already in that shape pass through untouched.
 */
export async function normalizeApiError(response: Response): Promise<Response> {
	if (response.status < 400) return response;
	const type = response.headers.get('content-type') ?? '';
	let message = response.statusText || codeForStatus(response.status).replace(/_/g, ' ');
	let code = codeForStatus(response.status);
	if (type.includes('application/json')) {
		const body: unknown = await response
			.clone()
			.json()
			.catch(() => null);
		if (body && typeof body === 'object') {
			if ('error' in body) return response;
			if ('message' in body && typeof body.message === 'string') message = body.message;
			if ('code' in body && typeof body.code === 'string') code = body.code;
		}
	} else if (!type.includes('text/html')) return response;
	const headers = new Headers(response.headers);
	headers.delete('content-length');
	headers.delete('content-type');
	return apiError(response.status, message, code, undefined, headers);
}
