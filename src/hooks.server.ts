import type { ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { handleAuth } from './hooks/auth';
import { handleBodyLimit } from './hooks/body-limit';
import { handleCsrf } from './hooks/csrf';
import { handleDrain } from './hooks/drain';
import { handleEmbed } from './hooks/embed';
import { handleI18n } from './hooks/i18n';
import { handleSecurityHeaders } from './hooks/security-headers';
import { startServer } from '$lib/server/startup';

export const init: ServerInit = async () => {
	await startServer(process.env);
};

// handleEmbed runs first: /embed answers lose the cookie header on the way in and get their own framing on the way
// out. Security headers wrap the rest so that early answers (503 while draining, 413, 403, 401) carry them too;
// draining answers before anything else runs; the body limit comes before anything that could read a body.
export const handle = sequence(
	handleEmbed,
	handleSecurityHeaders,
	handleDrain,
	handleBodyLimit,
	handleI18n,
	handleCsrf,
	handleAuth
);
