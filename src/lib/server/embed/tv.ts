import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import { EmbedError, integrationWithSecret } from './integrations';
import { MAX_LIFETIME_S, signEmbedToken } from './token';

/**
 * A TV link: a wallboard token in TV mode that an admin issues for a screen that cannot sign in, for at most
 * 24 hours, with the chosen team(s) and range locked. Renewing is issuing another; revoking the integration
 * ends them all.
 */
export async function issueTvLink(
	db: Db | Storage,
	input: {
		id: string;
		hours: number;
		range: string;
		teams: string[];
		theme: 'light' | 'dark';
		locale: 'zh-CN' | 'en';
		origin: string;
		sub: string;
	},
	now = Date.now()
): Promise<{ url: string; expiresAt: number; token: string }> {
	const integration = await integrationWithSecret(db, input.id);
	if (!integration) throw new EmbedError('not_found', `No usable embed integration with the id ${input.id}`);
	const lifetime = Math.min(MAX_LIFETIME_S, Math.max(1, Math.round(input.hours * 3600)));
	const filters: Record<string, string[]> = { range: [input.range] };
	if (input.teams.length) filters.team = [...new Set(input.teams)].sort();
	const token = await signEmbedToken(
		integration,
		{ res: { type: 'wallboard' }, filters, theme: input.theme, locale: input.locale, sub: input.sub },
		lifetime,
		now
	);
	return {
		token,
		url: `${input.origin}/embed/wallboard?tv=1&token=${encodeURIComponent(token)}`,
		expiresAt: (Math.floor(now / 1000) + lifetime) * 1000
	};
}
