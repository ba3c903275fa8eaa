import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { env } from '$env/dynamic/private';
import { storage } from '$lib/server/db';
import { audit } from '$lib/server/auth/audit';
import { DEMO_ACCOUNTS } from '$lib/server/auth/demo-accounts';
import { demoStatus } from '$lib/server/demo/run';
import { LANDING_PAGES, safeRedirectTarget } from '$lib/server/auth/guard';
import { clientIp } from '$lib/server/auth/request';
import { createSession, generateSessionToken, setSessionCookie } from '$lib/server/auth/session';
import { admitSignIn, throttleLimitsFromEnv } from '$lib/server/auth/throttle';
import { authenticate, normalizeEmail } from '$lib/server/auth/users';

export const load: PageServerLoad = ({ locals, url }) => {
	const redirectTo = safeRedirectTarget(url.searchParams.get('redirectTo'));
	if (locals.user) redirect(303, redirectTo ?? LANDING_PAGES[locals.user.role]);
	return {
		redirectTo,
		// Listed only when the start turned the demo on (never in a database with other sources).
		demoAccounts: demoStatus().enabled
			? DEMO_ACCOUNTS.map(({ role, email, password }) => ({ role, email, password }))
			: []
	};
};

const SignIn = z.object({
	email: z.string().trim().min(1).max(254),
	password: z.string().min(1).max(256),
	redirectTo: z.string().max(2000).optional()
});

export const actions: Actions = {
	default: async (event) => {
		const form = Object.fromEntries(await event.request.formData());
		const parsed = SignIn.safeParse(form);
		const email = typeof form.email === 'string' ? form.email.trim().slice(0, 254) : '';
		if (!parsed.success) return fail(400, { code: 'missing' as const, email });
		const db = storage();
		const ip = clientIp(event);
		const target = normalizeEmail(parsed.data.email);

		// Counted before the slow hash, so parallel attempts cannot slip past the limit.
		const verdict = await admitSignIn(db, { email: target, ip }, throttleLimitsFromEnv(env));
		if (verdict.blocked) {
			await audit(db, { action: 'auth.sign_in_throttled', target, ip, details: { by: verdict.reason } });
			event.setHeaders({ 'Retry-After': String(verdict.retryAfterSeconds) });
			return fail(429, {
				code: 'throttled' as const,
				email,
				retryAfterMinutes: Math.ceil(verdict.retryAfterSeconds / 60)
			});
		}

		let result: Awaited<ReturnType<typeof authenticate>>;
		try {
			result = await authenticate(db, parsed.data.email, parsed.data.password);
		} catch (error) {
			await verdict.settle();
			throw error;
		}
		if (!result.ok) {
			const reason = !result.user ? 'unknown_email' : result.user.disabled ? 'disabled' : 'wrong_password';
			await audit(db, { action: 'auth.sign_in_failed', target, ip, details: { reason } });
			await verdict.settle();
			// One message for every reason, so nobody can learn which e-mails have accounts.
			return fail(400, { code: 'invalid' as const, email });
		}

		await verdict.settle();
		const token = generateSessionToken();
		const session = await createSession(db, token, result.user.id, {
			ip,
			userAgent: event.request.headers.get('user-agent')
		});
		setSessionCookie(event.cookies, token, session.expiresAt, event.url.protocol === 'https:');
		await audit(db, {
			action: 'auth.sign_in',
			actor: { id: result.user.id, email: result.user.email },
			target,
			ip
		});
		redirect(303, safeRedirectTarget(parsed.data.redirectTo) ?? LANDING_PAGES[result.user.role]);
	}
};
