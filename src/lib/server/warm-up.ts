/**
 * The server's route modules, loaded once at start (hooks.server.ts `init`, before the server listens) instead of by
 * the first request to each route. SvelteKit imports a route's module when it is first asked for: the first write
 * to `/api/v1/events` compiled the dashboards, metrics and export code it imports on the main thread, which held
 * /healthz and every live stream for the longest wait of the hostile-input bench (bench/hostile-input.js). The glob
 * below names the same modules SvelteKit's manifest imports (one chunk per module), so nothing is loaded twice;
 * pages (.svelte) still load on first view.
 */
const routeModules = import.meta.glob([
	'/src/routes/**/+server.ts',
	'/src/routes/**/+page.server.ts',
	'/src/routes/**/+layout.server.ts'
]);

/** Imports every server route module; returns how many loaded and the time taken. A module that fails is logged. */
export async function warmRoutes(): Promise<{ modules: number; failed: number; ms: number }> {
	const started = performance.now();
	let failed = 0;
	for (const [path, load] of Object.entries(routeModules)) {
		try {
			await load();
		} catch (error) {
			failed++;
			console.error(`[resonance] warm-up: ${path} failed to load`, error);
		}
	}
	const modules = Object.keys(routeModules).length;
	return { modules, failed, ms: Math.round(performance.now() - started) };
}
