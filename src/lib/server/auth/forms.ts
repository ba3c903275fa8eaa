import { fail } from '@sveltejs/kit';
import { AccountError, parseTeams } from './users';
import { KeyError } from './keys';

/** Team ids from a form: the multi-select `teams` plus the free text `teamsExtra` ("t1, t2"). */
export function teamsFromForm(form: FormData): string[] {
	const picked = form.getAll('teams').filter((v): v is string => typeof v === 'string');
	const extra = form.get('teamsExtra');
	return parseTeams([...picked, ...(typeof extra === 'string' ? extra.split(',') : [])]);
}

/** Turns a refusal from the account/key lib into `fail(400, {action, code})`; anything else is rethrown. */
export function refusal(action: string, error: unknown) {
	if (error instanceof AccountError || error instanceof KeyError) {
		const status = error.code === 'not_found' || error.code === 'source_not_found' ? 404 : 400;
		return fail(status, { action, code: error.code as string });
	}
	throw error;
}
