/**
 * Alerts (issue 8), imported as a namespace: `import * as alerts from '$lib/server/alerts'`.
 * Rules (`listRules`, `addRule`, `changeRule`, `removeRule` — audited —, `publicRule`), evaluation (`evaluateAll`), the
 * lifecycle (`listAlerts`, `getAlert`, `act`, `alertCounts`), webhooks (`sign`, `deliverDue`, `listDeliveries`),
 * live announcements (`onAlertChange`) and the server runtime (`startAlertsRuntime`).
 */
export {
	ANOMALY_KPIS,
	canEditRule,
	createRule,
	describeIssues,
	ensureStarterRules,
	getRule,
	listRules,
	OPERATORS,
	parseRule,
	publicRule,
	RISK_SCORE_CUSTOMERS,
	RISK_SCORE_MODES,
	RISK_SCORE_OUTCOMES,
	RISK_SIGNALS,
	RuleError,
	VIP_SEGMENTS,
	STARTER_RULES,
	type PublicRule,
	type Rule,
	type RuleActor,
	type RuleInput
} from './rules';
export { act, addRule, changeRule, evaluateAll, removeRule, type EvaluationReport } from './engine';
export { auditRule, ruleDiff, webhookChange } from './audit';
export { evaluateRule, type Finding } from './evaluate';
export { MAX_CUSTOMERS as RISK_SCORE_MAX_CUSTOMERS, riskScoreStatus } from './risk-score';
export {
	ALERT_ACTIONS,
	AlertActionError,
	alertCounts,
	canSeeAlert,
	getAlert,
	listAlerts,
	type AlertAction,
	type AlertChange,
	type AlertView
} from './store';
export { parseSmtpUrl, sendMail, SmtpError, type SmtpConfig } from './smtp';
export {
	alertMail,
	configureMailer,
	deliverDue,
	enqueueTest,
	listDeliveries,
	retryDelay,
	sign,
	SIGNATURE_HEADER,
	type DeliveryView
} from './webhooks';
export { onAlertChange } from './notify';
export { startAlerts, type AlertsRuntime, type AlertsRuntimeOptions } from './scheduler';
export { alertsRuntime, startAlertsRuntime } from './runtime';
export { ANOMALY_METHODS } from './detectors';
