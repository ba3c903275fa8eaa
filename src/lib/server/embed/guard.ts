import { error } from '@sveltejs/kit';
import { storage } from '$lib/server/db';
import { embedAccess } from './access';
import type { Integration } from './integrations';
import { KEYED_TYPES, verifyEmbedToken, type EmbedClaims, type ResourceType } from './token';
import { recordView } from './usage';

/**
 * The guard of every /embed route (the route-walk test counts it like requireUser): verifies the `token` query
 * parameter and checks the path and query against it. 401 (no data) for a token that is missing, bad, unknown,
 * revoked or expired; 403 for another resource, a locked filter changed or a parameter the token does not allow.
 * Remembers the integration's origins for the embed hook's `frame-ancestors`.
 */

export interface EmbedContext {
	claims: EmbedClaims;
	integration: Integration;
	/** The view's effective filter parameters (locked filters + permitted viewer choices). */
	params: URLSearchParams;
	scope: { teams: string[] | null };
	token: string;
}

const framing = new WeakMap<App.Locals, string[]>();

/** The origins that may frame this request's answer (none when the token named no integration). */
export function frameOrigins(locals: App.Locals): string[] {
	return framing.get(locals) ?? [];
}

export interface EmbedEvent {
	locals: App.Locals;
	/** A client-side reload of the data (e.g. the TV's minute refresh), not a new view. */
	isDataRequest?: boolean;
	url: URL;
	request: Request;
}

export async function requireEmbed(
	event: EmbedEvent,
	resource: { type: ResourceType | null; key?: string | null },
	options: { record?: boolean; now?: number } = {}
): Promise<EmbedContext> {
	const token = event.url.searchParams.get('token');
	const verified = await verifyEmbedToken(storage(), token, options.now);
	if (verified.integration) framing.set(event.locals, verified.integration.origins);
	if (!verified.ok) error(401, { code: `token_${verified.reason}`, message: verified.message });
	const { claims, integration } = verified;
	// A stream or an export follows the token's own resource; a page names it in its path (only keyed views have
	// a key there: a trend's res.key names its KPI, not a path).
	const type = resource.type ?? claims.res.type;
	const key =
		resource.type === null
			? KEYED_TYPES.includes(type)
				? (claims.res.key ?? null)
				: null
			: (resource.key ?? null);
	const access = embedAccess(claims, type, key, event.url.searchParams);
	if (!access.ok) error(403, { code: access.code, message: access.message });
	if (options.record && !event.isDataRequest) {
		const origin = originOf(event.request.headers.get('referer'));
		await recordView(storage(), {
			integrationId: integration.id,
			type,
			key,
			sub: claims.sub ?? null,
			origin
		});
	}
	return { claims, integration, params: access.params, scope: access.scope, token: token ?? '' };
}

/** The origin of the page that framed the view (its Referer), or null. */
function originOf(referer: string | null): string | null {
	try {
		return referer ? new URL(referer).origin : null;
	} catch {
		return null;
	}
}
