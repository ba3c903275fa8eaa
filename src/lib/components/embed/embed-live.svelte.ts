import { page } from '$app/state';
import { invalidate } from '$app/navigation';
import type { SnapshotError, WallboardSnapshot } from '$lib/components/dashboards/types';
import { LiveStream } from '$lib/state/live-stream.svelte';
import { EMBED_VIEW, embedSource, embedStreamUrl } from './embed-stream';

/**
 * The live side of an embed page: a LiveStream on /embed/stream (authorised by the page's token, closed for good
 * when the server ends it at expiry or revocation), the current snapshot (the server's first paint, then each
 * snapshot of the same range) and, for views that are not the snapshot itself (trend, funnel, paths), a reload
 * of the page's data when a snapshot reports a commit that changes what the view shows — at most once every
 * `refresh.everyMs`, never two at once. Call while a component initialises (it sets up effects).
 */

export interface EmbedLiveData {
	snapshot?: WallboardSnapshot;
	filters?: { range: string };
	period?: { live: boolean };
	/** Whether the view moves with time (default: period.live). */
	live?: boolean;
}

export interface EmbedLiveOptions {
	refresh?: {
		/** Whether this snapshot shows a change the view's data (as loaded) does not have yet. */
		changed: (snapshot: WallboardSnapshot) => boolean;
		/** Minimum time between two reloads (default 2 s). */
		everyMs?: number;
	};
}

export function embedLive(data: () => EmbedLiveData, options: EmbedLiveOptions = {}) {
	let snapshot = $derived(data().snapshot ?? null);
	let ended = $state<string | null>(null);
	const refresh = options.refresh;
	const everyMs = refresh?.everyMs ?? 2000;
	let latest: WallboardSnapshot | null = null;
	let lastReload = -Infinity;
	let timer: ReturnType<typeof setTimeout> | undefined;
	let reloading = false;

	const reload = async () => {
		timer = undefined;
		if (ended) return;
		reloading = true;
		lastReload = Date.now();
		try {
			await invalidate(EMBED_VIEW);
		} finally {
			reloading = false;
		}
		// Snapshots that came meanwhile may show more than the reloaded data.
		consider();
	};
	const consider = () => {
		if (!refresh || !latest || reloading || timer || ended || !refresh.changed(latest)) return;
		timer = setTimeout(
			() => {
				reload().catch((error: unknown) => console.error('[resonance] embed: reloading failed', error));
			},
			Math.max(0, lastReload + everyMs - Date.now())
		);
	};

	const stream = new LiveStream<WallboardSnapshot | SnapshotError>({
		onSnapshot: (s) => {
			if ('error' in s) return;
			const current = data();
			if (current.snapshot && s.range === current.filters?.range) snapshot = s;
			latest = s;
			consider();
		},
		open: embedSource((reason) => {
			ended = reason;
			if (timer) clearTimeout(timer);
			timer = undefined;
			stream.close();
		})
	});
	stream.follow(() => {
		const d = data();
		return (d.live ?? d.period?.live ?? false) && !ended ? embedStreamUrl(page.url.search) : null;
	});
	$effect(() => () => {
		if (timer) clearTimeout(timer);
		timer = undefined;
	});

	return {
		stream,
		/** The snapshot on screen (null for views without one). */
		get snapshot() {
			return snapshot;
		},
		/** Why the server ended the stream ('expired', 'revoked'), or null while it may run. */
		get ended() {
			return ended;
		}
	};
}
