import type { ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { handleAuth } from './hooks/auth';
import { handleCsrf } from './hooks/csrf';
import { handleDrain } from './hooks/drain';
import { handleI18n } from './hooks/i18n';
import { handleSecurityHeaders } from './hooks/security-headers';
import { startServer } from '$lib/server/startup';

export const init: ServerInit = async () => {
	await startServer(process.env);
};

// Draining answers first (503 at shutdown). Security headers wrap auth so that auth's own early answers (401)
// carry them too.
export const handle = sequence(handleDrain, handleI18n, handleSecurityHeaders, handleCsrf, handleAuth);
