import { asc } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { agents, teams } from '$lib/server/db/schema';
import { teamCondition } from '$lib/server/auth/scope';

export interface TeamWithAgents {
	id: string;
	name: string;
	nameEn: string | null;
	site: string | null;
	agents: { id: string; name: string }[];
}

/** Teams and their agents, limited to `visibleTeams` (from restrictTeams; null = all). */
export function listTeamsWithAgents(db: Db, visibleTeams: string[] | null): TeamWithAgents[] {
	const teamRows = db
		.select()
		.from(teams)
		.where(teamCondition(teams.id, visibleTeams))
		.orderBy(asc(teams.id))
		.all();
	const agentRows = db
		.select({ id: agents.id, name: agents.name, teamId: agents.teamId })
		.from(agents)
		.where(teamCondition(agents.teamId, visibleTeams))
		.orderBy(asc(agents.id))
		.all();
	const byTeam = new Map<string, { id: string; name: string }[]>();
	for (const a of agentRows)
		if (a.teamId) byTeam.set(a.teamId, [...(byTeam.get(a.teamId) ?? []), { id: a.id, name: a.name }]);
	return teamRows.map((t) => ({
		id: t.id,
		name: t.name,
		nameEn: t.nameEn,
		site: t.site,
		agents: byTeam.get(t.id) ?? []
	}));
}
