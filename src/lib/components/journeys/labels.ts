import { m } from '$lib/paraglide/messages';

/** Display names of journey values in the current language (the stored value when unknown). */
const statuses: Record<string, () => string> = {
	completed: m.journeys_status_completed,
	failed: m.journeys_status_failed,
	abandoned: m.journeys_status_abandoned,
	in_progress: m.journeys_status_in_progress
};

export function statusLabel(status: string): string {
	return statuses[status]?.() ?? status;
}

const kinds: Record<string, () => string> = {
	drop: m.journeys_kind_drop,
	failure: m.journeys_kind_failure,
	loop: m.journeys_kind_loop,
	contact: m.journeys_kind_contact,
	switch: m.journeys_kind_switch
};

export function breakpointKindLabel(kind: string): string {
	return kinds[kind]?.() ?? kind;
}
