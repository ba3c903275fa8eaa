import { redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { audit } from '$lib/server/auth/audit';
import { actorOf, clientIp } from '$lib/server/auth/request';
import { deleteSessionCookie, invalidateSession } from '$lib/server/auth/session';

/** POST /logout: ends this session (public: without a session it only clears the cookie). */
export const POST: RequestHandler = async (event) => {
	const { locals, cookies, url } = event;
	if (locals.session && locals.user) {
		const db = storage();
		await invalidateSession(db, locals.session.id);
		await audit(db, {
			action: 'auth.sign_out',
			actor: actorOf(locals.user),
			target: locals.user.email,
			ip: clientIp(event)
		});
	}
	deleteSessionCookie(cookies, url.protocol === 'https:');
	redirect(303, '/login');
};
