import type { Storage } from '$lib/server/db/storage';
import { demoSimulator, demoStatus } from '$lib/server/demo/run';
import { incidentSwitch, simulatorRunning, switchIncident } from '$lib/server/demo/incident';

/**
 * The incident switch of the live demo (RESONANCE_DEMO_INCIDENT=1 sets it at start): while on, the simulator plants
 * an outage — service level drops, abandonment and complaints rise, angry comments with risk words arrive — so the
 * starter alert rules have something to catch. The switch is shared by every server process (demo/incident.ts):
 * pressed on any of them, it acts on the simulator wherever it runs, and every process shows the same state.
 */
export interface IncidentState {
	/** Demo mode is on. */
	enabled: boolean;
	/** The live simulator runs (after the history is seeded), in this process or another. */
	running: boolean;
	incident: boolean;
	/** When the switch was last pressed (epoch ms), null if never. */
	since: number | null;
	/** Who pressed it last, null if nobody. */
	by: string | null;
	phase: string;
}

export async function incidentState(storage: Storage): Promise<IncidentState> {
	const status = demoStatus();
	const [running, state] = await Promise.all([
		status.enabled ? simulatorRunning(storage, demoSimulator() !== undefined) : false,
		incidentSwitch(storage)
	]);
	return {
		enabled: status.enabled,
		running,
		incident: state.on,
		since: state.since,
		by: state.by,
		phase: status.phase
	};
}

/** Switches the outage on or off wherever the simulator runs; null when no simulator runs in any process. */
export async function setIncident(storage: Storage, on: boolean, by: string): Promise<IncidentState | null> {
	if (!demoStatus().enabled || !(await simulatorRunning(storage, demoSimulator() !== undefined))) return null;
	const before = await incidentSwitch(storage);
	if (before.on !== on) {
		await switchIncident(storage, on, by);
		console.log(`[resonance] demo: incident switched ${on ? 'on' : 'off'} by ${by}`);
	}
	return incidentState(storage);
}
