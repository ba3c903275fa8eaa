import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { ping } from '$lib/server/db/storage';

/** Public liveness: 200 once the database is open and migrated (init runs before the first request). */
export const GET: RequestHandler = async () => {
	await ping(storage());
	return json({ status: 'ok' }, { headers: { 'Cache-Control': 'no-store' } });
};
