import type { Storage } from '$lib/server/db/storage';
import type { Db } from '$lib/server/db';
import { byEngine, asStorage } from '$lib/server/db/storage';
import { dashboardStores } from './store';
import type { Scope } from '$lib/server/auth/scope';
import * as metrics from '$lib/server/metrics';
import * as journeys from '$lib/server/journeys';
import { listTeamsWithAgents } from '$lib/server/directory/teams';
import { CHANNELS, SEGMENTS } from '$lib/model';
import type { FilterOptions } from '$lib/components/filters/types';

/**
 * The choices of the filter bar: channels and segments of the event model, the teams the caller may see, the
 * journeys, and the regions seen so far (from the rollups' region combinations, a small table).
 */
export async function filterOptions(db: Db | Storage, scope: Scope): Promise<FilterOptions> {
	const teams = (await listTeamsWithAgents(db, scope.teams)).map((t) => ({
		value: t.id,
		label: { zh: t.name, en: t.nameEn ?? t.name }
	}));
	const journeyOptions = (await journeys.listJourneys(db)).map((r) => ({
		value: r.definition.key,
		label: r.definition.name
	}));
	return {
		channel: CHANNELS.map((c) => ({ value: c, label: null })),
		segment: SEGMENTS.map((s) => ({ value: s, label: null })),
		team: teams,
		journey: journeyOptions,
		region: (await regions(db)).map((r) => ({ value: r, label: null }))
	};
}

const REGION_CUBOID = metrics.CUBOIDS.findIndex((c) => c.length === 1 && c[0] === 'region');

async function regions(db: Db | Storage): Promise<string[]> {
	if (REGION_CUBOID < 0) return [];
	return byEngine(asStorage(db), dashboardStores).comboValues(REGION_CUBOID);
}
