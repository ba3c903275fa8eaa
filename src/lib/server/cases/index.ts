/**
 * Follow-up cases (回访), imported as a namespace: `import * as cases from '$lib/server/cases'`.
 * Opening (`openCases` from live events, `backfillCases` at start), the queue (`listCases`, `getCase`,
 * `updateCase`, `assignees`, `caseCounts`), the SLA setting and the follow-up KPIs (`caseKpis`).
 */
export {
	assignees,
	backfillCases,
	caseCounts,
	CaseError,
	caseFilterSchema,
	caseKey,
	casePatchSchema,
	DEFAULT_SLA_HOURS,
	getCase,
	getSlaHours,
	isDetractor,
	listCases,
	managerFor,
	normalizedScore,
	openCases,
	setSlaHours,
	sourceOf,
	updateCase,
	type CaseFilter,
	type CasePatch,
	type CaseSource,
	type CaseView
} from './cases';
export { caseKpis, type CaseKpi, type CaseKpis } from './kpis';
