/**
 * The routes anyone may call without a session or a read key: the sign-in itself, liveness, and ingestion (whose
 * routes authenticate each request by a source's write key). The auth hook and the route-walk test both read this
 * list, so a route is public here or it calls a guard (guard.ts); there is no third way.
 */
export interface PublicRoute {
	/** A path without groups, e.g. `/api/v1/events`. */
	path: string;
	/** True when every path below `path` is public too. */
	prefix?: boolean;
	/** Only these methods are public (absent: all). */
	methods?: readonly string[];
	why: string;
}

export const PUBLIC_ROUTES: readonly PublicRoute[] = [
	{ path: '/login', why: 'the sign-in page and its form action' },
	{ path: '/logout', why: 'signing out needs no session (without one it only clears the cookie)' },
	{ path: '/healthz', why: 'liveness for load balancers and the e2e harness' },
	{ path: '/readyz', why: 'readiness for load balancers: unready while the server drains at shutdown' },
	{
		path: '/metrics',
		methods: ['GET'],
		why: 'Prometheus scrapes with RESONANCE_METRICS_TOKEN (checked inside) or a read key'
	},
	{ path: '/v1', prefix: true, why: 'Segment-compatible ingestion, authenticated by write key' },
	{ path: '/batch', prefix: true, why: 'PostHog-compatible ingestion, authenticated by api_key (write key)' },
	{
		path: '/capture',
		prefix: true,
		why: 'PostHog-compatible ingestion, authenticated by api_key (write key)'
	},
	{ path: '/e', why: 'posthog-js capture, authenticated by api_key (write key)' },
	{ path: '/i/v0/e', why: 'posthog-js capture, authenticated by api_key (write key)' },
	{ path: '/flags', why: 'posthog-js feature flags: always none, no data' },
	{ path: '/decide', why: 'posthog-js feature flags (older libraries): always none, no data' },
	{ path: '/array', prefix: true, why: 'posthog-js remote configuration: every feature off, no data' },
	{ path: '/sourceConfig', why: 'RudderStack source configuration, authenticated by write key' },
	{
		path: '/api/v1/events',
		methods: ['POST', 'OPTIONS'],
		why: 'native ingestion, authenticated by write key'
	},
	{
		path: '/api/v1/import/csv',
		why: 'CSV import, authenticated by write key (or a session, checked inside)'
	},
	{ path: '/api/v1/openapi.json', why: 'the public description of the API' }
];

function normalize(pathname: string): string {
	return pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
}

/** Whether a request for this path and method needs no authentication. */
export function isPublicPath(pathname: string, method = 'GET'): boolean {
	const path = normalize(pathname);
	const verb = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
	return PUBLIC_ROUTES.some(
		(route) =>
			(path === route.path || (route.prefix === true && path.startsWith(`${route.path}/`))) &&
			(!route.methods || route.methods.includes(verb))
	);
}
