import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import { audit, changedFields } from '$lib/server/auth/audit';
import type { JourneyDefinition } from './definitions';

/**
 * Audit entries for journey definitions and event-name mappings: `journey.created`, `journey.updated` (the changed
 * top-level fields of the definition, before and after), `journey.mapping_added` and `journey.mapping_removed`.
 */
export interface JourneyAuditContext {
	actor: { id: string; email: string };
	ip: string | null;
	now?: number;
}

/** The top-level fields of a definition whose values differ, with both values. */
export function definitionDiff(
	before: JourneyDefinition,
	after: JourneyDefinition
): Record<string, { from: unknown; to: unknown }> {
	return changedFields({ ...before }, { ...after });
}

export async function auditJourney(
	target: Db | Storage,
	context: JourneyAuditContext,
	action: 'journey.created' | 'journey.updated' | 'journey.mapping_added' | 'journey.mapping_removed',
	target_: string,
	details: Record<string, unknown>
): Promise<void> {
	await audit(target, {
		actor: context.actor,
		ip: context.ip,
		ts: context.now,
		action,
		target: target_,
		details
	});
}
