/**
 * Signed embeds (issue 18): integrations with their own secrets, HS256 tokens, the views' scoped data, streams,
 * usage and TV links. Import as a namespace: `import * as embed from '$lib/server/embed'`.
 */
export {
	EmbedError,
	addIntegration,
	getIntegration,
	listIntegrations,
	removeIntegration,
	revokeIntegration,
	type Integration
} from './integrations';
export {
	signEmbedToken,
	verifyEmbedToken,
	RESOURCE_TYPES,
	type EmbedClaims,
	type ResourceType
} from './token';
export { embedAccess } from './access';
export { recentViews, recordView, viewerCount, viewsByDay } from './usage';
export { issueTvLink } from './tv';
