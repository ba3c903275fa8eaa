import type { ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { handleI18n } from './hooks/i18n';
import { handleSecurityHeaders } from './hooks/security-headers';
import { startServer } from '$lib/server/startup';

export const init: ServerInit = async () => {
	await startServer(process.env);
};

export const handle = sequence(handleI18n, handleSecurityHeaders);
