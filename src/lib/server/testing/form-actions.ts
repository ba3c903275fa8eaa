/** Test helpers for calling a page's loads and form actions directly, as a signed-in user, without a server. */
import type { AuthUser } from '$lib/server/auth/types';

/** A user of the given role, signed in with a session; id, email and name are made from the role. */
export function signedInUser(role: AuthUser['role']): AuthUser {
	return { id: role, email: `${role}@example.com`, name: role, role, teams: [], via: 'session' };
}

/** What an action answered: fail(status, data), a thrown error's status with no data, or 200 with its return. */
export type ActionOutcome = { status: number; data: Record<string, unknown> };

/** Posts `fields` to the action `name` of the page at `path`, as `user`. */
export async function runAction(
	actions: Record<string, (event: never) => unknown>,
	path: string,
	name: string,
	user: AuthUser,
	fields: Record<string, string> = {}
): Promise<ActionOutcome> {
	const url = new URL(`http://localhost${path}?/${name}`);
	const body = new FormData();
	for (const [k, v] of Object.entries(fields)) body.set(k, v);
	const request = new Request(url, { method: 'POST', body });
	try {
		const result = (await actions[name]({
			url,
			request,
			params: {},
			locals: { user, session: null }
		} as never)) as ActionOutcome | Record<string, unknown> | undefined;
		return result && 'status' in result && 'data' in result
			? (result as ActionOutcome)
			: { status: 200, data: (result ?? {}) as Record<string, unknown> };
	} catch (thrown) {
		return { status: (thrown as { status: number }).status, data: {} };
	}
}
