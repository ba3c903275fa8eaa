import { timingSafeEqual } from 'node:crypto';
import { env } from '$env/dynamic/private';
import type { RequestHandler } from './$types';
import { apiError } from '$lib/server/auth/api-error';
import { scrape } from '$lib/server/monitoring';

function tokenMatches(header: string | null, token: string | undefined): boolean {
	if (!token || !header?.startsWith('Bearer ')) return false;
	const given = Buffer.from(header.slice('Bearer '.length).trim());
	const wanted = Buffer.from(token);
	return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * GET /metrics: Prometheus text format. For a scraper with `Authorization: Bearer <RESONANCE_METRICS_TOKEN>` or a
 * read key (hooks turn a read key into `locals.user`), or a signed-in admin.
 */
export const GET: RequestHandler = async ({ locals, request }) => {
	const user = locals.user;
	const allowed =
		tokenMatches(request.headers.get('authorization'), env.RESONANCE_METRICS_TOKEN?.trim()) ||
		user?.via === 'read-key' ||
		user?.role === 'admin';
	if (!allowed)
		return apiError(
			user ? 403 : 401,
			'authorization: a read key or RESONANCE_METRICS_TOKEN as a Bearer token',
			user ? 'forbidden' : 'unauthorized'
		);
	const { body, contentType } = await scrape();
	return new Response(body, { headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store' } });
};
