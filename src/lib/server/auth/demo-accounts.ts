import type { Role } from '$lib/server/db/schema';
import { TEAM_IDS } from '$lib/server/demo/catalog';

/** The team the demo manager is bound to: the first team of the demo center's catalog. */
export const DEMO_MANAGER_TEAM: string = TEAM_IDS[0];

export interface DemoAccount {
	role: Role;
	email: string;
	/** Fixed and documented (README): demo mode is for trying the product, never for real data. */
	password: string;
	name: string;
	teams: string[];
}

/** One account per role, ensured at start in demo mode (RESONANCE_DEMO=1) and listed on the sign-in page. */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
	{
		role: 'executive',
		email: 'exec@demo.resonance',
		password: 'demo-exec-2026',
		name: '王总 (demo)',
		teams: []
	},
	{
		role: 'manager',
		email: 'manager@demo.resonance',
		password: 'demo-manager-2026',
		name: '李主管 (demo)',
		teams: [DEMO_MANAGER_TEAM]
	},
	{
		role: 'researcher',
		email: 'researcher@demo.resonance',
		password: 'demo-researcher-2026',
		name: '陈研究员 (demo)',
		teams: []
	},
	{
		role: 'admin',
		email: 'admin@demo.resonance',
		password: 'demo-admin-2026',
		name: '系统管理员 (demo)',
		teams: []
	}
];
