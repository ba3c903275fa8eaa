import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import { onInvalidate } from '$lib/server/live/relay';
import { filterKey, liveHub } from '$lib/server/live/hub';
import { encodeSse, type Send } from '$lib/server/live/stream';
import type { EmbedContext } from './guard';
import { getIntegration } from './integrations';
import { countViewer } from './usage';

/**
 * The live stream of an embed: the same hub and snapshots as GET /api/v1/stream, for the filter key of the
 * token's effective parameters and scope. Only `kpis` snapshots and pings pass (never the center's alerts). The
 * stream ends with `event: end` when the token expires or its integration is revoked or removed (re-checked every
 * few seconds, and at once when any process revokes or removes the integration: topic `embed.integration`), so a
 * revoked embed stops showing data without waiting for a reload.
 */

export const RECHECK_MS = 3000;

export type EndReason = 'expired' | 'revoked';

/** Why a token may no longer stream, or null while it may. */
export async function streamEnd(
	db: Db | Storage,
	ctx: Pick<EmbedContext, 'claims' | 'integration'>,
	now: number
): Promise<EndReason | null> {
	if (now >= ctx.claims.exp * 1000) return 'expired';
	const current = await getIntegration(db, ctx.integration.id);
	if (!current || ctx.claims.iat * 1000 < current.revokedBefore) return 'revoked';
	return null;
}

const encoder = new TextEncoder();

export function embedStream(
	db: Db | Storage,
	ctx: EmbedContext,
	options: { recheckMs?: number; subscribe?: (key: string, send: Send) => () => void } = {}
): Response {
	const key = filterKey(ctx.scope, ctx.params);
	const subscribe = options.subscribe ?? ((k: string, send: Send) => liveHub().subscribe(k, send));
	let cleanup: (() => void) | undefined;
	const stream = new ReadableStream<Uint8Array>({
		start(controller) {
			let open = true;
			const uncount = countViewer(ctx.integration.id);
			const finish = (reason?: EndReason) => {
				if (!open) return;
				open = false;
				clearInterval(check);
				stopInvalidation();
				unsubscribe();
				uncount();
				try {
					if (reason) controller.enqueue(encodeSse('end', { reason }));
					controller.close();
				} catch {
					// already closed by the client
				}
			};
			cleanup = () => finish();
			controller.enqueue(encoder.encode('retry: 2000\n\n'));
			const send: Send = (event, data) => {
				if (!open || (event !== 'kpis' && event !== 'ping' && event !== '')) return;
				try {
					controller.enqueue(encodeSse(event, data));
				} catch {
					finish();
				}
			};
			const recheck = () => {
				if (!open) return;
				streamEnd(db, ctx, Date.now()).then(
					(reason) => {
						if (reason) finish(reason);
					},
					(error: unknown) => console.error('[resonance] embed: rechecking a stream failed', error)
				);
			};
			const check = setInterval(recheck, options.recheckMs ?? RECHECK_MS);
			check.unref?.();
			const stopInvalidation = onInvalidate('embed.integration', (id) => {
				if (id === null || id === ctx.integration.id) recheck();
			});
			const unsubscribe = subscribe(key, send);
			recheck();
		},
		cancel() {
			cleanup?.();
		}
	});
	return new Response(stream, {
		headers: {
			'Content-Type': 'text/event-stream; charset=utf-8',
			'Cache-Control': 'no-store',
			'X-Accel-Buffering': 'no'
		}
	});
}
