import { asc } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { pgSchema, type PgDb } from '$lib/server/db/postgres';
import { agents, teams } from '$lib/server/db/schema';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { teamCondition } from '$lib/server/auth/scope';

export interface TeamWithAgents {
	id: string;
	name: string;
	nameEn: string | null;
	site: string | null;
	agents: { id: string; name: string }[];
}

type TeamRow = Omit<TeamWithAgents, 'agents'>;
type AgentRow = { id: string; name: string; teamId: string | null };

/** The directory's storage, one implementation per engine (db/storage.ts); the same query on both. */
interface DirectoryStore {
	teamsAndAgents(visibleTeams: string[] | null): Promise<{ teams: TeamRow[]; agents: AgentRow[] }>;
}

function sqliteDirectoryStore(db: Db): DirectoryStore {
	return {
		async teamsAndAgents(visibleTeams) {
			const teamRows = db
				.select({ id: teams.id, name: teams.name, nameEn: teams.nameEn, site: teams.site })
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
			return { teams: teamRows, agents: agentRows };
		}
	};
}

function postgresDirectoryStore(db: PgDb): DirectoryStore {
	const t = pgSchema.teams;
	const a = pgSchema.agents;
	return {
		async teamsAndAgents(visibleTeams) {
			const teamRows = await db
				.select({ id: t.id, name: t.name, nameEn: t.nameEn, site: t.site })
				.from(t)
				.where(teamCondition(t.id, visibleTeams))
				.orderBy(asc(t.id));
			const agentRows = await db
				.select({ id: a.id, name: a.name, teamId: a.teamId })
				.from(a)
				.where(teamCondition(a.teamId, visibleTeams))
				.orderBy(asc(a.id));
			return { teams: teamRows, agents: agentRows };
		}
	};
}

const directoryStores = { sqlite: sqliteDirectoryStore, postgres: postgresDirectoryStore };

/** Teams and their agents, limited to `visibleTeams` (from restrictTeams; null = all). */
export async function listTeamsWithAgents(
	db: Db | Storage,
	visibleTeams: string[] | null
): Promise<TeamWithAgents[]> {
	const { teams: teamRows, agents: agentRows } = await byEngine(
		asStorage(db),
		directoryStores
	).teamsAndAgents(visibleTeams);
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
