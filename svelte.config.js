import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** Where a wallboard may be embedded (frame-ancestors); 'self' unless configured at build time. */
const frameAncestors = (process.env.RESONANCE_FRAME_ANCESTORS ?? "'self'").split(/\s+/).filter(Boolean);

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build' }),
		// Ingestion clients post text/plain and form-encoded bodies cross-site by design; src/hooks/csrf.ts applies
		// the origin check to every other path.
		csrf: { trustedOrigins: ['*'] },
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:', 'blob:'],
				'connect-src': ['self'],
				'font-src': ['self', 'data:'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': frameAncestors
			}
		}
	}
};

export default config;
