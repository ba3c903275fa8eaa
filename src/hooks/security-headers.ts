import type { Handle } from '@sveltejs/kit';

/** Headers every answer carries; the CSP itself comes from `kit.csp` in svelte.config.js. */
export const handleSecurityHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	response.headers.set('X-Content-Type-Options', 'nosniff');
	response.headers.set('Referrer-Policy', 'strict-origin-when-cross-origin');
	if (!response.headers.has('Cache-Control') && event.url.pathname.startsWith('/api/'))
		response.headers.set('Cache-Control', 'no-store');
	return response;
};
