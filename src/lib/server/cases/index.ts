/**
 * Follow-up cases (回访), imported as a namespace: `import * as cases from '$lib/server/cases'`.
 * Opening (`openCases` from live events, `backfillCases` at start), the queue (`listCases`, `getCase`,
 * `updateCase`, `assignees`, `caseCounts`, `customerOpenCase`), the SLA setting and the follow-up KPIs
 * (`caseKpis`). Every function that reads or writes is async and takes `Db | Storage` (both engines: sqlite.ts,
 * postgres.ts).
 */
export {
	assignees,
	backfillCases,
	caseCounts,
	CaseError,
	caseFilterSchema,
	caseKey,
	customerOpenCase,
	casePatchSchema,
	caseStore,
	DEFAULT_SLA_HOURS,
	getCase,
	getSlaHours,
	isDetractor,
	listCases,
	normalizedScore,
	planUpdate,
	openCases,
	setSlaHours,
	simulatedFollowUp,
	sourceOf,
	updateCase,
	type CaseActor,
	type CaseFilter,
	type CasePatch,
	type CaseSource,
	type CaseView
} from './cases';
export {
	caseKpis,
	isRecovered,
	recoveries,
	recoveryOutcome,
	RECOVERY_WINDOW_DAYS,
	type CaseKpi,
	type CaseKpis,
	type Recovery,
	type RecoveryGroup,
	type RecoveryOutcome
} from './kpis';
