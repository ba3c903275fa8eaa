import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { storage } from '$lib/server/db';
import { audit } from '$lib/server/auth/audit';
import { requireSession } from '$lib/server/auth/guard';
import { verifyPassword } from '$lib/server/auth/password';
import { actorOf, clientIp } from '$lib/server/auth/request';
import { deleteSessionCookie, invalidateUserSessions, listUserSessions } from '$lib/server/auth/session';
import { AccountError, getUser, setUserPassword } from '$lib/server/auth/users';

export const load: PageServerLoad = async ({ locals }) => {
	const { user, session } = requireSession(locals);
	return {
		account: { email: user.email, name: user.name, role: user.role, teams: user.teams },
		sessions: (await listUserSessions(storage(), user.id, session.id)).map(({ id: _id, ...rest }) => rest)
	};
};

const ChangePassword = z.object({
	current: z.string().min(1).max(256),
	next: z.string().max(256),
	confirm: z.string().max(256)
});

export const actions: Actions = {
	password: async (event) => {
		const { user, session } = requireSession(event.locals);
		const parsed = ChangePassword.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { action: 'password' as const, code: 'missing' as const });
		const { current, next, confirm } = parsed.data;
		if (next !== confirm) return fail(400, { action: 'password' as const, code: 'mismatch' as const });
		const db = storage();
		const row = await getUser(db, user.id);
		if (!row || !(await verifyPassword(row.passwordHash, current)))
			return fail(400, { action: 'password' as const, code: 'wrong_current' as const });
		try {
			// Other sessions end: whoever knew the old password is signed out.
			await setUserPassword(db, user.id, next, session.id);
		} catch (error) {
			if (error instanceof AccountError) return fail(400, { action: 'password' as const, code: error.code });
			throw error;
		}
		await audit(db, {
			action: 'auth.password_changed',
			actor: actorOf(user),
			target: user.email,
			ip: clientIp(event)
		});
		return { action: 'password' as const, done: true };
	},
	revokeOthers: async (event) => {
		const { user, session } = requireSession(event.locals);
		const db = storage();
		const ended = await invalidateUserSessions(db, user.id, session.id);
		await audit(db, {
			action: 'auth.sessions_revoked',
			actor: actorOf(user),
			target: user.email,
			ip: clientIp(event),
			details: { ended, keptCurrent: true }
		});
		return { action: 'revokeOthers' as const, done: true, ended };
	},
	revokeAll: async (event) => {
		const { user } = requireSession(event.locals);
		const db = storage();
		const ended = await invalidateUserSessions(db, user.id);
		await audit(db, {
			action: 'auth.sessions_revoked',
			actor: actorOf(user),
			target: user.email,
			ip: clientIp(event),
			details: { ended, keptCurrent: false }
		});
		deleteSessionCookie(event.cookies, event.url.protocol === 'https:');
		redirect(303, '/login');
	}
};
