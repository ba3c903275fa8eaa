/**
 * The page the browser-SDK test serves from another origin: the real posthog-js, @segment/analytics-next and
 * @rudderstack/analytics-js packages, bundled by esbuild when the test starts (never committed), each pointed at
 * Resonance by its host/URL option only, plus the few options a test needs (said where they are set).
 */
import posthog from 'posthog-js';
import { AnalyticsBrowser } from '@segment/analytics-next';
// The `bundled` build carries RudderStack's plugins (its XHR queue among them) inside the package; the default
// build fetches them from RudderStack's CDN.
import { RudderAnalytics } from '@rudderstack/analytics-js/bundled';

export interface SdkRun {
	/** Resonance's origin, e.g. http://localhost:4204 */
	api: string;
	writeKey: string;
	/** Unique to this test run: customer ids and event names carry it. */
	run: string;
}

async function runPostHog({ api, writeKey, run }: SdkRun): Promise<void> {
	posthog.init(writeKey, {
		api_host: api,
		// Headless Chromium's user agent is a bot's to posthog-js, which then drops every event: test-only.
		opt_out_useragent_filter: true,
		// Only the calls below, so the test knows every event to expect.
		autocapture: false,
		capture_pageview: false,
		capture_pageleave: false,
		persistence: 'memory',
		request_queue_config: { flush_interval_ms: 300 }
	});
	posthog.identify(`ph-${run}`, { segment: 'mass', region: 'east' });
	posthog.capture(`ph_card_activated_${run}`, { channel: 'app', journey: 'card_activation', step: 3 });
	posthog.capture('Survey Answered', { metric: 'csat', score: 4, channel: 'app', comment: 'quick' });
}

/**
 * Captured as the page is left, by sendBeacon (posthog-js's unload transport). The beacons the browser queued are
 * returned, so the test knows this path was taken.
 */
function postHogAtUnload({ run }: SdkRun): { url: string; queued: boolean }[] {
	const beacons: { url: string; queued: boolean }[] = [];
	const send = navigator.sendBeacon.bind(navigator);
	navigator.sendBeacon = (url, data) => {
		const queued = send(url, data);
		beacons.push({ url: String(url), queued });
		return queued;
	};
	posthog.capture(`ph_left_${run}`, { channel: 'app', step: 4 }, { transport: 'sendBeacon' });
	return beacons;
}

async function runSegment({ api, writeKey, run }: SdkRun): Promise<void> {
	const host = new URL(api);
	const analytics = AnalyticsBrowser.load({
		writeKey,
		// The settings analytics-next would fetch from Segment's CDN, given here: only the Segment.io destination.
		cdnSettings: {
			integrations: {
				'Segment.io': {
					apiKey: writeKey,
					apiHost: `${host.host}/v1`,
					protocol: host.protocol.replace(':', '')
				}
			}
		}
	});
	await analytics.identify(`seg-${run}`, { segment: 'affluent' });
	await analytics.track(`seg_loan_applied_${run}`, { channel: 'app', amount: 5000 });
	await analytics.track('Survey Answered', { metric: 'nps', score: 9, channel: 'app' });
}

function runRudderStack({ api, writeKey, run }: SdkRun): Promise<void> {
	const rudder = new RudderAnalytics();
	return new Promise((resolve) => {
		rudder.load(writeKey, api, {
			configUrl: api,
			plugins: [],
			// Nothing else is fetched: no polyfill service, no error reporting.
			polyfillIfRequired: false,
			onLoaded: () => {
				rudder.identify(`rs-${run}`, { segment: 'private' });
				rudder.track(`rs_transfer_done_${run}`, { channel: 'app', amount: 200 });
				rudder.track('Survey Answered', { metric: 'ces', score: 2, channel: 'app' }, () => resolve());
			}
		});
	});
}

declare global {
	interface Window {
		resonanceSdks: {
			posthog(run: SdkRun): Promise<void>;
			postHogAtUnload(run: SdkRun): { url: string; queued: boolean }[];
			segment(run: SdkRun): Promise<void>;
			rudderstack(run: SdkRun): Promise<void>;
		};
	}
}

window.resonanceSdks = {
	posthog: runPostHog,
	postHogAtUnload,
	segment: runSegment,
	rudderstack: runRudderStack
};
