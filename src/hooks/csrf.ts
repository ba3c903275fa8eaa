import type { Handle } from '@sveltejs/kit';
import { SESSION_COOKIE } from '$lib/server/auth/session';
import { isIngestionPath } from '$lib/server/ingest/routes';

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];
/** The one ingestion route that also accepts a signed-in admin (the upload of /admin/import). */
const SESSION_INGESTION = '/api/v1/import/csv';

/**
 * SvelteKit's own origin check is switched off (svelte.config.js) because ingestion clients post `text/plain` and
 * form-encoded bodies cross-site by design. This hook restores it, wider than SvelteKit's: a state-changing request
 * that carries the session cookie (whatever its content type, or none) or looks like a form post must come from our
 * own origin — its `Origin` header, or `Sec-Fetch-Site: same-origin` when a browser sent no Origin. Ingestion stays
 * open cross-site (write keys, no cookies); the CSV import is checked when it carries the cookie, since it then
 * acts as the signed-in admin.
 */
export const handleCsrf: Handle = async ({ event, resolve }) => {
	const { request, url } = event;
	if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS')
		return resolve(event);
	const hasSession = Boolean(event.cookies?.get(SESSION_COOKIE) ?? sessionCookieIn(request));
	const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
	const path = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname;
	const checked = isIngestionPath(path)
		? path === SESSION_INGESTION && hasSession
		: hasSession || FORM_TYPES.includes(type);
	if (!checked || sameOrigin(request, url)) return resolve(event);
	const message = `Cross-site ${request.method} requests are forbidden`;
	return request.headers.get('accept')?.includes('application/json') || path.startsWith('/api/')
		? Response.json({ error: { code: 'csrf', message } }, { status: 403 })
		: new Response(message, { status: 403 });
};

/** Our own origin sent it: the Origin header says so, or (without one) the browser's Sec-Fetch-Site does. */
export function sameOrigin(request: Request, url: URL): boolean {
	const origin = request.headers.get('origin');
	if (origin !== null) return origin === url.origin;
	return request.headers.get('sec-fetch-site') === 'same-origin';
}

function sessionCookieIn(request: Request): boolean {
	const header = request.headers.get('cookie') ?? '';
	return header.split(';').some((part) => part.trim().startsWith(`${SESSION_COOKIE}=`));
}
