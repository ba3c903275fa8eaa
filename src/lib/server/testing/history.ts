import type { CxEvent } from '$lib/model';
import type { Db } from '$lib/server/db';
import { backfillCases } from '$lib/server/cases';
import { writeEvents } from '$lib/server/ingest/writer';
import { ensureDefaultJourneysSync } from '$lib/server/journeys/registry';
import { indexTextBatch } from '$lib/server/text/indexer';

export const DAY_MS = 86_400_000;

/**
 * A small history for the operations tests: `customers` customers over `days` days up to `now`, each with a
 * lost-card journey, contacts, surveys with comments (some detractors, so follow-up cases open), complaints and
 * an identify; texts indexed and cases backfilled, every derived table filled as in production.
 */
export async function writeHistory(
	db: Db,
	options: { customers: number; days: number; now: number }
): Promise<void> {
	const { customers, days, now } = options;
	ensureDefaultJourneysSync(db, now - days * DAY_MS);
	const steps = ['loss_reported', 'card_blocked', 'identity_verified', 'reissue_requested'];
	for (let d = days; d >= 1; d--) {
		const events: CxEvent[] = [];
		const dayStart = now - d * DAY_MS;
		for (let c = 0; c < customers; c++) {
			if ((c + d) % 3 !== 0) continue;
			const customerId = `cust-${c}`;
			const t = dayStart + c * 60_000;
			const id = (k: string) => `${customerId}-${d}-${k}`;
			if (d === days)
				events.push({
					id: id('i'),
					type: 'identify',
					ts: t,
					customerId,
					traits: { segment: c % 2 ? 'mass' : 'affluent', region: 'sh' },
					properties: {}
				} as CxEvent);
			steps.forEach((name, i) =>
				events.push({
					id: id(`j${i}`),
					type: 'journey',
					ts: t + i * 600_000,
					customerId,
					name,
					channel: 'app',
					properties: {}
				} as CxEvent)
			);
			events.push({
				id: id('c'),
				type: 'contact',
				ts: t + 3_000_000,
				customerId,
				channel: 'phone',
				handledBy: 'agent',
				teamId: `team-${c % 3}`,
				agentId: `agent-${c % 7}`,
				queue: 'cards',
				reason: 'lost_card',
				waitS: 20 + (c % 40),
				handleS: 300,
				outcome: c % 4 ? 'resolved' : 'unresolved',
				properties: {}
			} as CxEvent);
			events.push({
				id: id('f'),
				type: 'feedback',
				ts: t + 3_600_000,
				customerId,
				channel: 'phone',
				metric: 'nps',
				score: (c * 7 + d) % 11,
				contactId: id('c'),
				teamId: `team-${c % 3}`,
				text: c % 2 ? '客服很耐心，处理很快' : '等待时间太长，很不满意',
				properties: {}
			} as CxEvent);
			if (c % 5 === 0)
				events.push({
					id: id('x'),
					type: 'complaint',
					ts: t + 4_000_000,
					customerId,
					channel: 'phone',
					category: 'service',
					severity: 'high',
					regulator: c % 10 === 0,
					properties: {}
				} as CxEvent);
		}
		writeEvents(db, events, { sourceId: null, receivedAt: dayStart + DAY_MS - 1 });
	}
	while ((await indexTextBatch(db)) > 0);
	await backfillCases(db, { days: days + 1, now });
}
