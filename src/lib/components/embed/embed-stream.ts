import type { SourceFactory } from '$lib/state/live-stream.svelte';

/**
 * The live stream of an embed page: /embed/stream with the page's own query (its token and permitted parameters),
 * and an EventSource that stops for good when the server ends the stream (token expired or revoked) instead of
 * reconnecting with a token that can no longer be used.
 */
/** The dependency of the embed loads that reload live (trend, funnel, paths: `depends(EMBED_VIEW)`). */
export const EMBED_VIEW = 'embed:view';

export function embedStreamUrl(search: string): string {
	return `/embed/stream${search}`;
}

export function embedSource(onEnd: (reason: string) => void): SourceFactory {
	return (url) => {
		const source = new EventSource(url);
		source.addEventListener('end', (event) => {
			source.close();
			let reason = 'ended';
			try {
				reason = JSON.parse((event as MessageEvent).data).reason ?? reason;
			} catch {
				// keep the default
			}
			onEnd(reason);
		});
		return source;
	};
}
