/**
 * The ingestion routes: public (authenticated by a write key, not a session) and posted cross-site by design, so
 * they belong on the auth engineer's list of public routes and outside SvelteKit's form-CSRF origin check.
 */
export const INGESTION_ROUTES = [
	'/v1/[call]',
	'/batch',
	'/capture',
	'/e',
	'/i/v0/e',
	'/flags',
	'/decide',
	'/array/[token]/[file]',
	'/sourceConfig',
	'/api/v1/events (POST)',
	'/api/v1/import/csv',
	'/api/v1/openapi.json'
] as const;

/** Whether a request path is an ingestion endpoint (write-key authenticated, cross-origin allowed). */
export function isIngestionPath(pathname: string): boolean {
	const path = pathname.length > 1 ? pathname.replace(/\/$/, '') : pathname;
	return (
		/^\/v1\/[^/]+$/.test(path) ||
		path === '/batch' ||
		path === '/capture' ||
		path === '/e' ||
		path === '/i/v0/e' ||
		path === '/flags' ||
		path === '/decide' ||
		path === '/api/v1/events' ||
		path === '/api/v1/import/csv'
	);
}
