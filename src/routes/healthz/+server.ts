import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { database } from '$lib/server/db';

/** Public liveness: 200 once the database is open and migrated (init runs before the first request). */
export const GET: RequestHandler = () => {
	database().$client.prepare('SELECT 1').get();
	return json({ status: 'ok' }, { headers: { 'Cache-Control': 'no-store' } });
};
