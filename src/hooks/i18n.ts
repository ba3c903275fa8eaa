import type { Handle } from '@sveltejs/kit';
import { paraglideMiddleware } from '$lib/paraglide/server';

/** Chooses the language (cookie, then the browser's Accept-Language, then zh-CN) and writes it into <html lang>. */
export const handleI18n: Handle = ({ event, resolve }) =>
	paraglideMiddleware(event.request, ({ request, locale }) => {
		event.request = request;
		const theme = event.cookies.get('theme');
		return resolve(event, {
			transformPageChunk: ({ html }) =>
				html
					.replace('%paraglide.lang%', locale)
					.replace('%resonance.theme%', theme === 'dark' || theme === 'light' ? theme : 'auto')
		});
	});
