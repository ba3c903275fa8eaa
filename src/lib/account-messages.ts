import { m } from '$lib/paraglide/messages';

/** Messages for the stable error codes of account and key forms (AccountError, KeyError and form checks). */
const messages: Record<string, () => string> = {
	missing: m.admin_error_missing,
	mismatch: m.account_error_mismatch,
	wrong_current: m.account_error_wrong_current,
	email_invalid: m.admin_error_email_invalid,
	email_taken: m.admin_error_email_taken,
	role_invalid: m.admin_error_role_invalid,
	role_required: m.admin_error_role_invalid,
	teams_required: m.admin_error_teams_required,
	team_invalid: m.admin_error_team_invalid,
	password_too_short: m.account_error_password_too_short,
	password_too_long: m.account_error_password_too_long,
	not_found: m.admin_error_not_found,
	last_admin: m.admin_error_last_admin,
	self_disable: m.admin_error_self_disable,
	name_required: m.admin_error_name_required,
	source_not_found: m.admin_error_not_found,
	origin_invalid: m.admin_error_origin_invalid
};

export function accountErrorMessage(code: string): string {
	return messages[code]?.() ?? code;
}
