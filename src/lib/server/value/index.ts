/**
 * The value ledger (issue 20), imported as a namespace: `import * as value from '$lib/server/value'`. Rates with
 * effective days (`getValueSettings`, `putValueSettings`) and the ledger of a period (`valueLedger`). Every function
 * that reads or writes is async and takes `Db | Storage` (both engines: sqlite.ts, postgres.ts).
 */
export {
	DEFAULT_RATES,
	parseSettings,
	settingsBody,
	ValueSettingsError,
	type Rates,
	type SettingsBody
} from './rates';
export {
	getValueSettings,
	putValueSettings,
	rateVersions,
	ratePeriods,
	versionAt,
	type RateVersion,
	type ValueSettingsActor,
	type ValueSettingsAnswer
} from './settings';
export { monthsOf, sessionRate, valueLedger, type Figure, type Ledger, type WaterfallKey } from './ledger';
