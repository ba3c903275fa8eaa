import type { RequestEvent } from '@sveltejs/kit';
import type { AuthUser } from './types';

/** The client's address as the server sees it (ADDRESS_HEADER behind a proxy), or null when unknown. */
export function clientIp(event: Pick<RequestEvent, 'getClientAddress'>): string | null {
	try {
		return event.getClientAddress();
	} catch {
		return null;
	}
}

/** The actor of an audit entry for a signed-in user. */
export function actorOf(user: AuthUser): { id: string; email: string } {
	return { id: user.id, email: user.email };
}
