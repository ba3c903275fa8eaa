import type { Handle } from '@sveltejs/kit';

const KEYWORDS = new Set(['self', 'none']);

/**
 * The `frame-ancestors` sources from RESONANCE_FRAME_ANCESTORS (space-separated, e.g. "'self' https://intranet.example"),
 * or null when unset. Bare keywords are quoted as CSP requires.
 */
export function frameAncestorsFrom(value: string | undefined): string | null {
	const sources = (value ?? '').split(/\s+/).filter(Boolean);
	if (sources.length === 0) return null;
	return sources.map((s) => (KEYWORDS.has(s.toLowerCase()) ? `'${s.toLowerCase()}'` : s)).join(' ');
}

/**
 * Replaces (or adds) the frame-ancestors directive of a CSP header. kit.csp in svelte.config.js fixes the policy
 * at build time; this lets the same build be embedded elsewhere by setting the variable at run time.
 */
export function withFrameAncestors(policy: string, sources: string): string {
	const directives = policy
		.split(';')
		.map((d) => d.trim())
		.filter((d) => d && !/^frame-ancestors(\s|$)/i.test(d));
	return [...directives, `frame-ancestors ${sources}`].join('; ');
}

/** Headers every answer carries; the CSP itself comes from `kit.csp` in svelte.config.js. */
export const handleSecurityHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	response.headers.set('X-Content-Type-Options', 'nosniff');
	response.headers.set('Referrer-Policy', 'strict-origin-when-cross-origin');
	const frameAncestors = frameAncestorsFrom(process.env.RESONANCE_FRAME_ANCESTORS);
	const policy = response.headers.get('content-security-policy');
	if (frameAncestors && policy)
		response.headers.set('content-security-policy', withFrameAncestors(policy, frameAncestors));
	if (!response.headers.has('Cache-Control') && event.url.pathname.startsWith('/api/'))
		response.headers.set('Cache-Control', 'no-store');
	return response;
};
