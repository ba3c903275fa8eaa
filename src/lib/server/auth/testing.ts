import type { Storage } from '$lib/server/db/storage';
import type { AuthUser } from './types';

/** A GET handler of a JSON API route, as route tests call it. */
type GetHandler = (event: never) => Response | Promise<Response>;

/**
 * Calls a JSON API route's GET handler as `user` (null: no session) and reads its answer; a thrown
 * `error(…)` (from the guard) is answered with its status and body, as SvelteKit would.
 */
export async function callGet(
	handler: GetHandler,
	url: string,
	user: AuthUser | null
): Promise<{ status: number; body: unknown }> {
	const parsed = new URL(url);
	try {
		const response = await handler({
			url: parsed,
			request: new Request(parsed),
			locals: { user, session: null }
		} as never);
		return { status: response.status, body: await response.json() };
	} catch (thrown) {
		const e = thrown as { status: number; body: unknown };
		return { status: e.status, body: e.body };
	}
}

/** Rows of a plain SQL query on either engine (tests look at what was stored, column names as in the database). */
export async function rawRows(target: Storage, text: string): Promise<Record<string, unknown>[]> {
	if (target.engine === 'sqlite') return target.db.$client.prepare(text).all() as Record<string, unknown>[];
	return [...(await target.db.$client.unsafe(text))] as Record<string, unknown>[];
}
