import { demoSimulator, demoStatus } from '$lib/server/demo/run';

/**
 * The incident switch of the live demo (RESONANCE_DEMO_INCIDENT=1 sets it at start): while on, the simulator plants
 * an outage — service level drops, abandonment and complaints rise, angry comments with risk words arrive — so the
 * starter alert rules have something to catch.
 */
export interface IncidentState {
	/** Demo mode is on. */
	enabled: boolean;
	/** The live simulator runs (after the history is seeded). */
	running: boolean;
	incident: boolean;
	phase: string;
}

export function incidentState(): IncidentState {
	const status = demoStatus();
	const simulator = demoSimulator();
	return {
		enabled: status.enabled,
		running: simulator !== undefined,
		incident: simulator?.incident() ?? false,
		phase: status.phase
	};
}

/** Switches the outage on or off; null when no simulator runs. */
export function setIncident(on: boolean, by: string): IncidentState | null {
	const simulator = demoSimulator();
	if (!simulator) return null;
	if (simulator.incident() !== on) {
		simulator.setIncident(on);
		console.log(`[resonance] demo: incident switched ${on ? 'on' : 'off'} by ${by}`);
	}
	return incidentState();
}
