/** The sign-in page's load and form action, called as SvelteKit calls them, against a real in-memory database. */
import { isRedirect, type RequestEvent } from '@sveltejs/kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { actions, load } from '../../../routes/login/+page.server';
import { openDatabase, useDatabase, type Db } from '$lib/server/db';
import { auditLog } from '$lib/server/db/schema';
import { and, eq } from 'drizzle-orm';
import { createUser } from './users';
import type { AuthUser } from './types';

let db: Db;
beforeAll(() => {
	db = useDatabase(openDatabase(':memory:'));
});

async function redirectOf(run: () => unknown): Promise<string | null> {
	try {
		await run();
		return null;
	} catch (thrown) {
		if (isRedirect(thrown)) return thrown.location;
		throw thrown;
	}
}

describe('sign-in redirects', () => {
	it('sends a signed-in user to their landing page, not off-site, for /login?redirectTo=%2F%09%2Fevil.example', async () => {
		const user: AuthUser = {
			id: 'u',
			email: 'r@bank.example',
			name: '',
			role: 'researcher',
			teams: [],
			via: 'session'
		};
		const url = new URL('http://localhost/login?redirectTo=%2F%09%2Fevil.example');
		const location = await redirectOf(() => load({ locals: { user, session: null }, url } as never));
		expect(location).toBe('/journeys');
	});
});

describe('sign-in throttling', () => {
	it('checks at most 5 of 30 parallel wrong passwords for one account (the attempt counts before the hash)', async () => {
		const email = 'target@bank.example';
		await createUser(db, { email, password: 'the-right-password', role: 'researcher' });
		const attempt = (i: number) => {
			const url = new URL('http://localhost/login');
			const body = new URLSearchParams({ email, password: `wrong-${i}` });
			const event = {
				url,
				request: new Request(url, { method: 'POST', body }),
				locals: { user: null, session: null },
				// Thirty addresses, so only the per-account limit applies.
				getClientAddress: () => `198.51.100.${i + 1}`,
				setHeaders: () => {},
				cookies: { set: () => {}, get: () => undefined, delete: () => {} }
			} as unknown as RequestEvent;
			return (actions.default as (e: RequestEvent) => Promise<{ status: number }>)(event);
		};
		const results = await Promise.all(Array.from({ length: 30 }, (_, i) => attempt(i)));
		const checked = db
			.select()
			.from(auditLog)
			.where(and(eq(auditLog.action, 'auth.sign_in_failed'), eq(auditLog.target, email)))
			.all().length;
		expect(checked).toBe(5);
		expect(results.filter((r) => r.status === 429)).toHaveLength(25);
	});
});
