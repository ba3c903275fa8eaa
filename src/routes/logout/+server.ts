import { redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { database } from '$lib/server/db';
import { audit } from '$lib/server/auth/audit';
import { actorOf, clientIp } from '$lib/server/auth/request';
import { deleteSessionCookie, invalidateSession } from '$lib/server/auth/session';

/** POST /logout: ends this session (public: without a session it only clears the cookie). */
export const POST: RequestHandler = (event) => {
	const { locals, cookies, url } = event;
	if (locals.session && locals.user) {
		const db = database();
		invalidateSession(db, locals.session.id);
		void audit(db, {
			action: 'auth.sign_out',
			actor: actorOf(locals.user),
			target: locals.user.email,
			ip: clientIp(event)
		});
	}
	deleteSessionCookie(cookies, url.protocol === 'https:');
	redirect(303, '/login');
};
