import type { Handle } from '@sveltejs/kit';
import { decodeJwt } from 'jose';
import { frameOrigins } from '$lib/server/embed/guard';

/**
 * Signed embeds (/embed/…): the answer is framed only by the token's integration (`frame-ancestors` its origins,
 * 'none' without a valid integration), sets no cookie, and never sees the app's session: the cookie header is
 * dropped before the other hooks run. Language and theme come from the token (read here unverified, for
 * presentation only; the route's guard verifies it before any data is read). Runs first so its headers are final.
 */
export function isEmbedPath(pathname: string): boolean {
	return pathname === '/embed' || pathname.startsWith('/embed/');
}

export function embedPresentation(token: string | null): { locale: 'zh-CN' | 'en'; theme: 'light' | 'dark' } {
	let claims: Record<string, unknown> = {};
	try {
		if (token && token.length <= 4096) claims = decodeJwt(token);
	} catch {
		claims = {};
	}
	return {
		locale: claims.locale === 'en' ? 'en' : 'zh-CN',
		theme: claims.theme === 'dark' ? 'dark' : 'light'
	};
}

export function withFrameAncestorsOnly(policy: string | null, sources: string): string {
	const kept = (policy ?? '')
		.split(';')
		.map((d) => d.trim())
		.filter((d) => d && !/^frame-ancestors(\s|$)/i.test(d));
	return [...kept, `frame-ancestors ${sources}`].join('; ');
}

export const handleEmbed: Handle = async ({ event, resolve }) => {
	if (!isEmbedPath(event.url.pathname)) return resolve(event);
	const { locale, theme } = embedPresentation(event.url.searchParams.get('token'));
	const headers = new Headers(event.request.headers);
	headers.delete('cookie');
	headers.set('accept-language', locale);
	event.request = new Request(event.request, { headers });
	const response = await resolve(event, {
		transformPageChunk: ({ html }) =>
			html.replace(/(<html[^>]*\sdata-theme=")[^"]*"/, `$1${theme}"`).replace('%resonance.theme%', theme)
	});
	const origins = frameOrigins(event.locals);
	const answer = new Response(response.body, response);
	answer.headers.set(
		'content-security-policy',
		withFrameAncestorsOnly(
			answer.headers.get('content-security-policy'),
			origins.length ? origins.join(' ') : "'none'"
		)
	);
	answer.headers.delete('x-frame-options');
	answer.headers.delete('set-cookie');
	answer.headers.set('Cache-Control', 'no-store');
	answer.headers.set('Referrer-Policy', 'no-referrer');
	return answer;
};
