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

/** HSTS for answers served over https (the URL SvelteKit sees: ORIGIN, or PROTOCOL_HEADER behind a proxy). */
export const HSTS = 'max-age=31536000';
/** Answers that are not pages (JSON, streams, plain-text errors): nothing may run or load, nobody may frame them. */
export const NON_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
/** An HTML answer SvelteKit rendered without its own policy (its static error page): the app's rules, no scripts. */
export const FALLBACK_PAGE_CSP =
	"default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

/**
 * Headers every answer carries (scripts/security-headers.js sets the same on static files, which never reach this
 * hook). A page's CSP comes from `kit.csp` in svelte.config.js, with its nonces.
 */
export const handleSecurityHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	response.headers.set('X-Content-Type-Options', 'nosniff');
	response.headers.set('Referrer-Policy', 'strict-origin-when-cross-origin');
	if (event.url.protocol === 'https:') response.headers.set('Strict-Transport-Security', HSTS);
	const frameAncestors = frameAncestorsFrom(process.env.RESONANCE_FRAME_ANCESTORS);
	const policy = response.headers.get('content-security-policy');
	if (frameAncestors && policy)
		response.headers.set('content-security-policy', withFrameAncestors(policy, frameAncestors));
	else if (!policy) {
		const html = (response.headers.get('content-type') ?? '').includes('text/html');
		response.headers.set('content-security-policy', html ? FALLBACK_PAGE_CSP : NON_PAGE_CSP);
	}
	if (!response.headers.has('Cache-Control') && event.url.pathname.startsWith('/api/'))
		response.headers.set('Cache-Control', 'no-store');
	return response;
};
