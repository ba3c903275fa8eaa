import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import type { Role } from '$lib/server/db/schema';
import { audit } from './audit';
import { DEMO_ACCOUNTS } from './demo-accounts';
import { generatePassword, verifyPassword } from './password';
import { teamsOf } from './session';
import {
	AccountError,
	countUsers,
	createUser,
	findUserByEmail,
	setUserDisabled,
	setUserPassword,
	updateUser
} from './users';

type Env = Record<string, string | undefined>;
type Log = (line: string) => void;

export const FIRST_RUN_ADMIN_EMAIL = 'admin@resonance.local';

const SYSTEM = { id: null, email: 'system' };

/** Whether the environment (after the start's decision, see demo/eligibility.ts) has the demo on. */
export function isDemoOn(env: Env): boolean {
	return env.RESONANCE_DEMO === '1' || env.RESONANCE_DEMO === 'true' || env.RESONANCE_DEMO === 'force';
}

/**
 * Demo accounts have published passwords: in a database that is not the demo's their published password is replaced
 * by a random one (signing them out) and they are disabled — all but an admin that is the last one, which keeps
 * working only for whoever resets its password (`npm run admin -- user password`). Returns the e-mails changed.
 */
export async function disableDemoAccounts(db: Db | Storage, log: Log = console.log): Promise<string[]> {
	const disabled: string[] = [];
	for (const account of DEMO_ACCOUNTS) {
		const user = await findUserByEmail(db, account.email);
		if (!user || !(await verifyPassword(user.passwordHash, account.password))) continue;
		await setUserPassword(db, user.id, generatePassword());
		try {
			if (!user.disabled) await setUserDisabled(db, user.id, true);
		} catch (error) {
			if (!(error instanceof AccountError)) throw error;
		}
		await audit(db, {
			action: 'user.disabled',
			actor: SYSTEM,
			target: account.email,
			details: { demo: true }
		});
		disabled.push(account.email);
	}
	if (disabled.length)
		log(
			`[resonance] demo accounts closed in this database (published passwords replaced): ${disabled.join(', ')}`
		);
	return disabled;
}

/**
 * Makes sure an account exists with this role, password, teams and enabled; changes only what differs, so a
 * restart neither rehashes nor signs anyone out needlessly.
 */
async function ensureAccount(
	db: Db | Storage,
	account: { email: string; password: string; role: Role; name?: string; teams?: string[] }
): Promise<'created' | 'updated' | 'unchanged'> {
	const existing = await findUserByEmail(db, account.email);
	if (!existing) {
		await createUser(db, account);
		await audit(db, {
			action: 'user.created',
			actor: SYSTEM,
			target: account.email,
			details: { role: account.role }
		});
		return 'created';
	}
	let changed = false;
	const teams = account.role === 'manager' ? [...(account.teams ?? [])].sort() : [];
	if (existing.role !== account.role || (await teamsOf(db, existing.id)).join() !== teams.join()) {
		const { roleChanged } = await updateUser(db, existing.id, { role: account.role, teams: account.teams });
		changed ||= roleChanged;
	}
	if (existing.disabled) {
		await setUserDisabled(db, existing.id, false);
		changed = true;
	}
	if (!(await verifyPassword(existing.passwordHash, account.password))) {
		await setUserPassword(db, existing.id, account.password);
		changed = true;
	}
	if (changed)
		await audit(db, {
			action: 'user.updated',
			actor: SYSTEM,
			target: account.email,
			details: { ensured: true }
		});
	return changed ? 'updated' : 'unchanged';
}

/**
 * Accounts at start: the admin from RESONANCE_ADMIN_EMAIL/PASSWORD; in demo mode one account per role; and, when
 * nobody can sign in at all (no users), a first-run admin whose random password is printed once.
 */
export async function bootstrapAccounts(db: Db | Storage, env: Env, log: Log = console.log): Promise<void> {
	const email = env.RESONANCE_ADMIN_EMAIL?.trim();
	const password = env.RESONANCE_ADMIN_PASSWORD;
	if (email && password) {
		const result = await ensureAccount(db, { email, password, role: 'admin' }).catch((error: unknown) => {
			// Bad configuration stops the start with a clear reason rather than a stack trace deep in a hook.
			if (error instanceof AccountError) throw new Error(`RESONANCE_ADMIN_EMAIL/PASSWORD: ${error.message}`);
			throw error;
		});
		if (result !== 'unchanged') log(`[resonance] admin ${email} from RESONANCE_ADMIN_EMAIL ${result}`);
	} else if (email || password) {
		log('[resonance] RESONANCE_ADMIN_EMAIL and RESONANCE_ADMIN_PASSWORD must be set together; ignored');
	}

	if (isDemoOn(env)) {
		for (const account of DEMO_ACCOUNTS) await ensureAccount(db, account);
		log('[resonance] demo accounts (demo mode only; passwords are public):');
		for (const a of DEMO_ACCOUNTS)
			log(`[resonance]   ${a.role.padEnd(10)} ${a.email.padEnd(26)} ${a.password}${teamNote(a.teams)}`);
	}

	if ((await countUsers(db)) === 0) {
		const generated = generatePassword();
		await createUser(db, { email: FIRST_RUN_ADMIN_EMAIL, password: generated, role: 'admin', name: 'Admin' });
		await audit(db, {
			action: 'user.created',
			actor: SYSTEM,
			target: FIRST_RUN_ADMIN_EMAIL,
			details: { firstRun: true }
		});
		log('[resonance] ──────────────────────────────────────────────────────────────');
		log(`[resonance] first run: admin ${FIRST_RUN_ADMIN_EMAIL} created with password ${generated}`);
		log('[resonance] it is shown only this once; sign in and change it at /account');
		log('[resonance] ──────────────────────────────────────────────────────────────');
	}
}

function teamNote(teams: string[]): string {
	return teams.length ? ` (teams ${teams.join(', ')})` : '';
}
