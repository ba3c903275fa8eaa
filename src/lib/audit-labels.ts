import { m } from '$lib/paraglide/messages';

const labels: Record<string, () => string> = {
	'auth.sign_in': m.admin_audit_a_sign_in,
	'auth.sign_in_failed': m.admin_audit_a_sign_in_failed,
	'auth.sign_in_throttled': m.admin_audit_a_sign_in_throttled,
	'auth.sign_out': m.admin_audit_a_sign_out,
	'auth.password_changed': m.admin_audit_a_password_changed,
	'auth.sessions_revoked': m.admin_audit_a_sessions_revoked,
	'user.created': m.admin_audit_a_user_created,
	'user.updated': m.admin_audit_a_user_updated,
	'user.disabled': m.admin_audit_a_user_disabled,
	'user.enabled': m.admin_audit_a_user_enabled,
	'user.password_reset': m.admin_audit_a_user_password_reset,
	'source.created': m.admin_audit_a_source_created,
	'source.updated': m.admin_audit_a_source_updated,
	'key.created': m.admin_audit_a_key_created,
	'key.revoked': m.admin_audit_a_key_revoked,
	'data.exported': m.admin_audit_a_data_exported,
	'settings.changed': m.admin_audit_a_settings_changed,
	'alert_rule.created': m.admin_audit_a_alert_rule_created,
	'alert_rule.updated': m.admin_audit_a_alert_rule_updated,
	'alert_rule.deleted': m.admin_audit_a_alert_rule_deleted,
	'webhook.changed': m.admin_audit_a_webhook_changed,
	'journey.created': m.admin_audit_a_journey_created,
	'journey.updated': m.admin_audit_a_journey_updated,
	'journey.mapping_added': m.admin_audit_a_journey_mapping_added,
	'journey.mapping_removed': m.admin_audit_a_journey_mapping_removed,
	'data.rebuilt': m.admin_audit_a_data_rebuilt,
	'data.imported': m.admin_audit_a_data_imported,
	'data.backed_up': m.admin_audit_a_data_backed_up,
	'data.restored': m.admin_audit_a_data_restored,
	'data.retention_pruned': m.admin_audit_a_data_retention_pruned,
	'customer.deleted': m.admin_audit_a_customer_deleted,
	'embed.created': m.admin_audit_a_embed_created,
	'embed.revoked': m.admin_audit_a_embed_revoked,
	'embed.removed': m.admin_audit_a_embed_removed,
	'embed.token_issued': m.admin_audit_a_embed_token_issued,
	'audience.created': m.admin_audit_a_audience_created,
	'risk.model_trained': m.admin_audit_a_risk_model_trained
};

/** The audit action in the current language, with its code for precision (the stored code when unknown). */
export function auditActionLabel(action: string): string {
	const label = labels[action];
	return label ? `${label()} (${action})` : action;
}
