import type { Handle } from '@sveltejs/kit';
import { isIngestionPath } from '$lib/server/ingest/routes';

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * SvelteKit's own origin check is switched off (svelte.config.js) because ingestion clients post `text/plain` and
 * form-encoded bodies cross-site by design. This hook restores the check for everything else: a form-like POST
 * from another origin (or with no Origin header) to a page or API of ours is refused.
 */
export const handleCsrf: Handle = async ({ event, resolve }) => {
	const { request, url } = event;
	if (request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'OPTIONS') {
		const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
		if (FORM_TYPES.includes(type) && !isIngestionPath(url.pathname)) {
			const origin = request.headers.get('origin');
			if (origin !== url.origin) {
				const message = `Cross-site ${request.method} form submissions are forbidden`;
				return request.headers.get('accept')?.includes('application/json')
					? Response.json({ error: { code: 'csrf', message } }, { status: 403 })
					: new Response(message, { status: 403 });
			}
		}
	}
	return resolve(event);
};
