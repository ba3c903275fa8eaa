import type { Storage } from '$lib/server/db/storage';
import { audit } from '$lib/server/auth/audit';
import {
	AccountError,
	createUser,
	findUserByEmail,
	listUsers,
	parseTeams,
	setUserDisabled,
	setUserPassword
} from '$lib/server/auth/users';
import { CLI_ACTOR, date, options, required, role, table, unknownCommand, type CommandGroup } from './args';

async function userByEmail(db: Storage, email: string) {
	const user = await findUserByEmail(db, email);
	if (!user) throw new AccountError('not_found', `No user with the e-mail ${email}`);
	return user;
}

/** `user add|list|disable|enable|password`: accounts, through the auth domain. */
export const userCommands: CommandGroup = {
	name: 'user',
	usage: [
		'user add --email E --password P --role admin|executive|researcher|manager [--teams t1,t2] [--name N]',
		'user list',
		'user disable --email E',
		'user enable --email E',
		'user password --email E --password P'
	],
	async run({ storage, io }, sub, args) {
		const db = await storage();
		switch (sub) {
			case 'add': {
				const o = options(args, ['email', 'password', 'role', 'teams', 'name']);
				const user = await createUser(db, {
					email: required(o, 'email'),
					password: required(o, 'password'),
					role: role(o.role),
					teams: parseTeams(o.teams),
					name: o.name
				});
				await audit(db, {
					action: 'user.created',
					actor: CLI_ACTOR,
					target: user.email,
					details: { role: user.role, teams: user.teams }
				});
				io.out(
					`user ${user.email} added (${user.role}${user.teams.length ? `, teams ${user.teams.join(',')}` : ''})`
				);
				return;
			}
			case 'list': {
				options(args, []);
				const rows = (await listUsers(db)).map((u) => [
					u.email,
					u.role,
					u.teams.join(',') || '-',
					u.disabled ? 'disabled' : 'active',
					date(u.createdAt)
				]);
				for (const line of table([['EMAIL', 'ROLE', 'TEAMS', 'STATUS', 'CREATED'], ...rows])) io.out(line);
				return;
			}
			case 'disable':
			case 'enable': {
				const o = options(args, ['email']);
				const user = await userByEmail(db, required(o, 'email'));
				const disabled = sub === 'disable';
				await setUserDisabled(db, user.id, disabled);
				await audit(db, {
					action: disabled ? 'user.disabled' : 'user.enabled',
					actor: CLI_ACTOR,
					target: user.email
				});
				io.out(`user ${user.email} ${disabled ? 'disabled (signed out everywhere)' : 'enabled'}`);
				return;
			}
			case 'password': {
				const o = options(args, ['email', 'password']);
				const user = await userByEmail(db, required(o, 'email'));
				await setUserPassword(db, user.id, required(o, 'password'));
				await audit(db, { action: 'user.password_reset', actor: CLI_ACTOR, target: user.email });
				io.out(`password of ${user.email} changed (signed out everywhere)`);
				return;
			}
			default:
				unknownCommand('user', sub);
		}
	}
};
