import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { database } from '$lib/server/db';
import { isDraining } from '$lib/server/lifecycle';

/** Public readiness: 200 while the server takes traffic, 503 once it drains for shutdown (take it out of rotation). */
export const GET: RequestHandler = () => {
	const headers = { 'Cache-Control': 'no-store' };
	if (isDraining()) return json({ status: 'draining' }, { status: 503, headers });
	database().$client.prepare('SELECT 1').get();
	return json({ status: 'ready' }, { headers });
};
