import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import { rankBreakpoints, type BreakpointList } from './breakpoints';
import type { JourneyDefinition } from './definitions';
import { funnel, type Funnel } from './funnel';
import { touchpointGap, type TouchpointGap } from './gap';
import { instanceGroups } from './groups';
import { buildPathMap, type PathMap } from './paths';
import { MIN_N, type JourneyQuery } from './query';

/** Everything the journey screen shows, reading the grouped instances once for the path map and breakpoints. */
export interface JourneyDetail {
	funnel: Funnel;
	pathMap: PathMap;
	breakpoints: BreakpointList;
	gap: TouchpointGap;
}

export async function journeyDetail(
	target: Db | Storage,
	definition: JourneyDefinition,
	q: JourneyQuery,
	options: {
		by?: 'segment' | 'channel' | null;
		top?: number;
		maxDepth?: number;
		teams?: string[] | null;
		minN?: number;
		now?: number;
	} = {}
): Promise<JourneyDetail> {
	const now = options.now ?? Date.now();
	const minN = options.minN ?? MIN_N;
	const groups = await instanceGroups(target, definition.key, q, now);
	const range = { from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString() };
	return {
		funnel: await funnel(target, definition, q, { by: options.by, minN, now }),
		pathMap: {
			journey: definition.key,
			...range,
			segment: q.segment,
			channel: q.channel,
			...buildPathMap(groups, { top: options.top, maxDepth: options.maxDepth, minN })
		},
		breakpoints: { journey: definition.key, ...range, ...rankBreakpoints(definition, groups, { minN }) },
		gap: await touchpointGap(target, definition.key, q, { teams: options.teams, minN })
	};
}
