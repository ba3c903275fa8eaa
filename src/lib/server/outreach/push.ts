import { z } from 'zod';
import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import { deliveryProblem, destinationProblem, guardedFetch } from '$lib/server/alerts/destinations';
import { SIGNATURE_HEADER, sign } from '$lib/server/alerts/webhooks';
import { AudienceError, exportMembers, type AudienceActor } from './audiences';

/**
 * Pushes an audience's treatment list to the outbound team's system as one signed webhook, as the alert webhooks
 * are signed (`X-Resonance-Signature: sha256=<HMAC-SHA256 of the raw body>`) and with the same destination checks
 * (no loopback or link-local receivers unless allowed; checked again on the resolved addresses; no redirects).
 * One attempt, answered to the caller, who may push again.
 */

export const pushInput = z.object({
	url: z.string().trim().url().max(2000),
	secret: z.string().min(16).max(200)
});

export interface PushResult {
	status: number | null;
	delivered: boolean;
	customers: number;
	error: string | null;
}

export async function pushAudience(
	target: Db | Storage,
	id: number,
	body: unknown,
	actor: AudienceActor,
	options: { now?: number; fetch?: typeof fetch; timeoutMs?: number } = {}
): Promise<PushResult> {
	const parsed = pushInput.safeParse(body);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		throw new AudienceError(
			400,
			'invalid_parameter',
			`${issue.path.join('.') || '(body)'}: ${issue.message}`
		);
	}
	const { url, secret } = parsed.data;
	const saved = destinationProblem(url);
	if (saved) throw new AudienceError(400, 'invalid_parameter', `url: ${saved}`);
	const list = await exportMembers(target, id, 'treatment', actor, {
		format: 'json',
		via: new URL(url).host
	});
	const payload = JSON.stringify({
		event: 'audience.treatment',
		sentAt: new Date(options.now ?? Date.now()).toISOString(),
		audience: { id: list.audience.id, name: list.audience.name, createdAt: list.audience.createdAt },
		customers: list.customerIds
	});
	const problem = options.fetch ? null : await deliveryProblem(url);
	if (problem) return { status: null, delivered: false, customers: list.customerIds.length, error: problem };
	const send = options.fetch ?? ((u: string, init: RequestInit) => guardedFetch(u, init));
	try {
		const response = await send(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(payload, secret) },
			body: payload,
			signal: AbortSignal.timeout(options.timeoutMs ?? 10_000)
		});
		const delivered = response.status >= 200 && response.status < 300;
		return {
			status: response.status,
			delivered,
			customers: list.customerIds.length,
			error: delivered ? null : `answered ${response.status}`
		};
	} catch (error) {
		return {
			status: null,
			delivered: false,
			customers: list.customerIds.length,
			error: error instanceof Error ? error.message : String(error)
		};
	}
}
