import { IngestError } from './errors';
import { decodeText, decompress } from './decode';

/**
 * What the browser SDKs need besides their capture posts, read from their sources (posthog-js 1.449, RudderStack
 * analytics-js 3.34) rather than guessed: how posthog-js wraps its bodies, and the configuration answers that let
 * both SDKs start without features Resonance does not have (feature flags, session recording, surveys, plugins).
 */

const GZIP_MAGIC = [0x1f, 0x8b] as const;

const isGzip = (bytes: Uint8Array) => bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];

/**
 * Undoes posthog-js's body encodings (its `request.ts`), after any `Content-Encoding`:
 * - `compression=gzip-js`: gzip bytes posted as text/plain. posthog-js 1.449 no longer puts the parameter in the
 *   URL for gzip, so gzip is also recognised by its magic bytes (as PostHog's own capture does);
 * - `compression=base64`: a form body `data=<base64 of the JSON>` (also its `sendBeacon` fallback);
 * - a form body `data=<JSON>` without compression (older libraries);
 * - otherwise the JSON as it is (application/json, or a text/plain `sendBeacon` Blob).
 */
export async function unwrapPostHogBody(
	bytes: Uint8Array,
	url: URL,
	contentType: string | null
): Promise<Uint8Array> {
	const compression = url.searchParams.get('compression')?.toLowerCase() ?? '';
	const form = contentType?.split(';')[0].trim().toLowerCase() === 'application/x-www-form-urlencoded';
	if (form || compression === 'base64') return formData(bytes, compression === 'base64');
	if (compression === 'gzip-js' || compression === 'gzip' || isGzip(bytes)) return decompress(bytes, 'gzip');
	return bytes;
}

/** The `data` field of a form body: base64 of the JSON, or the JSON itself. */
function formData(bytes: Uint8Array, base64: boolean): Uint8Array {
	const text = decodeText(bytes);
	// A body that is not a form (posthog-js sends JSON when its base64 step failed) is read as it is.
	if (/^\s*[[{]/.test(text)) return bytes;
	const data = new URLSearchParams(text).get('data');
	if (data === null) throw new IngestError(400, 'bad_request', 'data: required in a form-encoded body');
	if (!base64 && /^\s*[[{]/.test(data)) return Buffer.from(data, 'utf8');
	// Some proxies turn `+` into a space on the way; base64 has no spaces.
	const b64 = data.replace(/ /g, '+');
	if (!/^[A-Za-z0-9+/=_-]*$/.test(b64))
		throw new IngestError(400, 'invalid_encoding', 'data: not valid base64');
	return Buffer.from(b64, 'base64');
}

/**
 * The answer of `/flags/` (and the older `/decide/`): no feature flags, no session recording, no surveys, and no
 * error, so posthog-js settles its flags as loaded and does not retry. Both the v2 shape (`flags`) and the v1
 * shape (`featureFlags`) are given, for every posthog-js still in use.
 */
export const POSTHOG_NO_FLAGS = {
	flags: {},
	featureFlags: {},
	featureFlagPayloads: {},
	errorsWhileComputingFlags: false,
	quotaLimited: [],
	sessionRecording: false,
	surveys: false,
	heatmaps: false,
	autocapture_opt_out: false,
	capturePerformance: false,
	siteApps: [],
	toolbarParams: {},
	supportedCompression: ['gzip', 'gzip-js', 'base64']
} as const;

/**
 * posthog-js's remote configuration (`/array/<token>/config`): features off, and `hasFeatureFlags: false` so it
 * does not ask `/flags/` at all (nor load any extension script). `supportedCompression` keeps its gzip bodies (without it, it posts plain JSON).
 */
export function postHogRemoteConfig(token: string) {
	return {
		token,
		supportedCompression: ['gzip', 'gzip-js'],
		hasFeatureFlags: false,
		captureDeadClicks: false,
		capturePerformance: false,
		autocapture_opt_out: false,
		autocaptureExceptions: false,
		analytics: { endpoint: '/e/' },
		elementsChainAsString: true,
		errorTracking: { autocaptureExceptions: false, suppressionRules: [] },
		logs: { captureConsoleLogs: false },
		sessionRecording: false,
		heatmaps: false,
		// No `surveys` key: `false` still makes posthog-js load its surveys script (to render none).
		productTours: false,
		defaultIdentifiedOnly: true,
		siteApps: []
	};
}

/** The same configuration as the script posthog-js loads first (`/array/<token>/config.js`). */
export function postHogRemoteConfigScript(token: string): string {
	const json = JSON.stringify({ config: postHogRemoteConfig(token), siteApps: [] }).replace(/</g, '\\u003c');
	return (
		'(function(){window._POSTHOG_REMOTE_CONFIG=window._POSTHOG_REMOTE_CONFIG||{};' +
		`window._POSTHOG_REMOTE_CONFIG[${JSON.stringify(token).replace(/</g, '\\u003c')}]=${json};})();\n`
	);
}

/**
 * RudderStack analytics-js's source configuration (`/sourceConfig/`): what its `isValidSourceConfig` requires
 * (`source.id`, `source.config`, `source.destinations` an array), with no destinations (so no device-mode
 * integrations are fetched from a CDN) and its error and metrics reporting off.
 */
export function rudderSourceConfig(source: { sourceId: number }) {
	return {
		isHosted: true,
		source: {
			id: String(source.sourceId),
			name: `Resonance source #${source.sourceId}`,
			enabled: true,
			workspaceId: 'resonance',
			config: { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } },
			destinations: []
		}
	};
}
