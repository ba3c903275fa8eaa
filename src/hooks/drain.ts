import type { Handle } from '@sveltejs/kit';
import { isDraining } from '$lib/server/lifecycle';

/**
 * While the server drains for shutdown, requests that reach it anyway (on a kept-alive connection) are answered
 * 503 with Retry-After, so nothing new is acknowledged; health and readiness still answer.
 */
export const handleDrain: Handle = ({ event, resolve }) => {
	const path = event.url.pathname;
	if (!isDraining() || path === '/healthz' || path === '/readyz') return resolve(event);
	return Response.json(
		{ error: { code: 'shutting_down', message: 'The server is shutting down; retry shortly' } },
		{ status: 503, headers: { 'Retry-After': '2', Connection: 'close' } }
	);
};
