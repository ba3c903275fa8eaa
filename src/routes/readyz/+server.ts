import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { ping } from '$lib/server/db/storage';
import { isDraining } from '$lib/server/lifecycle';

/** Public readiness: 200 while the server takes traffic, 503 once it drains for shutdown (take it out of rotation). */
export const GET: RequestHandler = async () => {
	const headers = { 'Cache-Control': 'no-store' };
	if (isDraining()) return json({ status: 'draining' }, { status: 503, headers });
	await ping(storage());
	return json({ status: 'ready' }, { headers });
};
