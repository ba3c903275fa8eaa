/**
 * Journey analytics (issue 6): definitions, stitching at ingest, funnels, loop-safe path maps, service
 * breakpoints, the touchpoint vs journey gap and the customer timeline. Import as a namespace:
 * `import * as journeys from '$lib/server/journeys'`.
 */
export {
	DEFAULT_JOURNEYS,
	journeyDefinitionSchema,
	stepKey,
	eventLabel,
	parseStepLines,
	formatStepLines,
	parseEndConditions,
	formatEndConditions,
	parseLabelLines,
	formatLabelLines,
	definitionForm,
	type JourneyDefinition,
	type JourneyDefinitionInput,
	type JourneyStepDefinition,
	type EndCondition
} from './definitions';
export {
	ensureDefaultJourneys,
	loadJourneyCatalog,
	listJourneys,
	getJourney,
	saveJourney,
	listMappings,
	mapEventName,
	unmapEventName,
	eventNameVolumes,
	JourneyValidationError,
	type JourneyRecord,
	type EventNameMapping,
	type EventNameVolume
} from './registry';
export {
	stitchJourneys,
	restitchAll,
	restitchJourney,
	restitchInBackground,
	restitchStatus,
	closeTimedOut,
	type StitchInput,
	type StitchResult,
	type RestitchOptions,
	type RestitchStatus
} from './stitch';
export { badParameter, unknownJourney, journeyOrResponse, journeyJson, validationResponse } from './http';
export { INSTANCE_STATUSES, type InstanceStatus } from './core';
export {
	parseJourneyQuery,
	journeyQueryToParams,
	intParam,
	enumParam,
	MIN_N,
	DEFAULT_RANGE_DAYS,
	type JourneyQuery,
	type QueryError,
	type Parsed
} from './query';
export { funnel, type Funnel, type FunnelStep, type FunnelGroup } from './funnel';
export {
	pathMap,
	type PathMap,
	type PathNode,
	type PathLink,
	type PathSummary,
	type PathNodeKind
} from './paths';
export {
	breakpoints,
	parseSelector,
	type Breakpoint,
	type BreakpointList,
	type BreakpointKind,
	type ScoreGap,
	type Selector
} from './breakpoints';
export { affectedJourneys, type AffectedJourney, type AffectedPage } from './drill';
export { touchpointGap, type TouchpointGap } from './gap';
export { journeySummaries, summarizeJourney, type JourneySummary } from './summary';
export { customerTimeline, type CustomerTimeline, type TimelineEvent, type TimelineLane } from './timeline';
export { journeyDetail, type JourneyDetail } from './detail';
