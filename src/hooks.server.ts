import type { ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { handleAuth } from './hooks/auth';
import { handleCsrf } from './hooks/csrf';
import { handleEmbed } from './hooks/embed';
import { handleI18n } from './hooks/i18n';
import { handleSecurityHeaders } from './hooks/security-headers';
import { startServer } from '$lib/server/startup';

export const init: ServerInit = async () => {
	await startServer(process.env);
};

// Security headers wrap auth so that auth's own early answers (401) carry them too.
// handleEmbed runs first: /embed answers lose the cookie header on the way in and get their own framing on the way out.
export const handle = sequence(handleEmbed, handleI18n, handleSecurityHeaders, handleCsrf, handleAuth);
