import { createHash } from 'node:crypto';
import type { AudienceGroup } from '$lib/server/db/schema';

/**
 * The treatment/holdout split (DOMAIN.md "Outreach with a holdout"): a stable hash of audience id + customer id,
 * so the same member always lands in the same group, groups of different audiences are independent, and nobody can
 * choose who is held out. SHA-256 of `<audience id>:<customer id>`, its first 32 bits as a fraction of 2³²; below
 * holdoutPercent / 100 is holdout.
 */

export const DEFAULT_HOLDOUT_PERCENT = 10;

/** Where a member falls on [0, 1): the first 32 bits of the hash over 2³². */
export function splitPoint(audienceId: number, customerId: string): number {
	const digest = createHash('sha256').update(`${audienceId}:${customerId}`, 'utf8').digest();
	return digest.readUInt32BE(0) / 2 ** 32;
}

export function groupOf(audienceId: number, customerId: string, holdoutPercent: number): AudienceGroup {
	return splitPoint(audienceId, customerId) < holdoutPercent / 100 ? 'holdout' : 'treatment';
}

export interface Member {
	customerId: string;
	group: AudienceGroup;
}

/** The members of an audience with their groups, in customer id order (duplicates merged). */
export function splitMembers(
	audienceId: number,
	customerIds: Iterable<string>,
	holdoutPercent: number
): Member[] {
	return [...new Set(customerIds)]
		.sort()
		.map((customerId) => ({ customerId, group: groupOf(audienceId, customerId, holdoutPercent) }));
}
