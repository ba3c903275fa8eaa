// Security headers for every answer of the built server, static files included: adapter-node serves files from
// build/client (sirv) before SvelteKit's hooks run, so src/hooks/security-headers.ts never sees them. scripts/serve.js
// sets these on each response before adapter-node's handler runs; SvelteKit's own headers (a page's CSP with its
// nonces, the hook's headers) replace them where it sets the same name. Keep the values in step with the hook.

export const HSTS = 'max-age=31536000';
export const REFERRER_POLICY = 'strict-origin-when-cross-origin';
/** For answers that are not pages (files, JSON): nothing may run or load, nobody may frame them. */
export const NON_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

/**
 * Whether the request reached us over https: directly, through a proxy that says so in PROTOCOL_HEADER
 * (adapter-node's variable), or because the public ORIGIN is https.
 * @param {import('node:http').IncomingMessage} req
 * @param {Record<string, string | undefined>} env
 */
export function isHttps(req, env = process.env) {
	if (/** @type {{ encrypted?: boolean }} */ (req.socket).encrypted) return true;
	const header = env.PROTOCOL_HEADER?.toLowerCase();
	if (header) {
		const value = req.headers[header];
		if ((Array.isArray(value) ? value[0] : value)?.split(',')[0].trim() === 'https') return true;
	}
	return (env.ORIGIN ?? '').startsWith('https://');
}

/**
 * The headers every answer starts with.
 * @param {import('node:http').IncomingMessage} req
 * @param {Record<string, string | undefined>} env
 * @returns {Record<string, string>}
 */
export function baselineHeaders(req, env = process.env) {
	return {
		'X-Content-Type-Options': 'nosniff',
		'Referrer-Policy': REFERRER_POLICY,
		'Content-Security-Policy': NON_PAGE_CSP,
		...(isHttps(req, env) ? { 'Strict-Transport-Security': HSTS } : {})
	};
}

/**
 * Sets the baseline headers on a response about to be written.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {Record<string, string | undefined>} env
 */
export function applyBaselineHeaders(req, res, env = process.env) {
	for (const [name, value] of Object.entries(baselineHeaders(req, env))) res.setHeader(name, value);
}
