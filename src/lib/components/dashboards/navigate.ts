import { goto } from '$app/navigation';
import { page } from '$app/state';
import { withDrill, type DrillSpec } from './drill';

/** The link that opens a drill-down on the current page (keeps the page's filters). */
export function drillHref(spec: DrillSpec): string {
	return `${page.url.pathname}?${withDrill(page.url.searchParams, spec)}`;
}

/** Opens a drill-down (from a chart click): a navigation that no load depends on, so nothing recomputes. */
export function openDrill(spec: DrillSpec): void {
	// eslint-disable-next-line svelte/no-navigation-without-resolve -- this page, its query plus the drill
	void goto(drillHref(spec), { noScroll: true, keepFocus: true });
}
