import { eventsUrl } from '$lib/components/dashboards/drill';
import type { DrillEvent, EventsPage } from '$lib/components/dashboards/types';

/**
 * The records of an open drill-down: pages of GET /api/v1/events, newest first, with the cursors of the pages
 * already seen so "previous" needs no server support. One instance per drill panel.
 */
export class DrillRecords {
	events = $state.raw<DrillEvent[]>([]);
	next = $state<string | null>(null);
	/** 0-based page number. */
	page = $state(0);
	loading = $state(false);
	error = $state<string | null>(null);

	#query = '';
	/** The cursor that opened each page seen (null for the first). */
	#cursors: (string | null)[] = [null];
	#request = 0;
	#fetch: typeof fetch;

	constructor(fetchImpl: typeof fetch = (...args) => fetch(...args)) {
		this.#fetch = fetchImpl;
	}

	/** The query string of the first page (without cursor), e.g. for the CSV export of the same records. */
	get query(): string {
		return this.#query;
	}

	async open(query: URLSearchParams): Promise<void> {
		this.#query = query.toString();
		this.#cursors = [null];
		this.page = 0;
		await this.#load(null);
	}

	async nextPage(): Promise<void> {
		if (!this.next || this.loading) return;
		const cursor = this.next;
		this.#cursors[this.page + 1] = cursor;
		this.page += 1;
		await this.#load(cursor);
	}

	async previousPage(): Promise<void> {
		if (this.page === 0 || this.loading) return;
		this.page -= 1;
		await this.#load(this.#cursors[this.page] ?? null);
	}

	async #load(cursor: string | null): Promise<void> {
		const request = ++this.#request;
		this.loading = true;
		this.error = null;
		try {
			const response = await this.#fetch(eventsUrl(this.#query, { cursor }), {
				headers: { accept: 'application/json' }
			});
			const body: unknown = await response.json().catch(() => null);
			if (request !== this.#request) return;
			if (!response.ok) {
				const message =
					body && typeof body === 'object' && 'error' in body && body.error && typeof body.error === 'object'
						? String((body.error as { message?: unknown }).message ?? response.statusText)
						: response.statusText;
				this.error = message || `HTTP ${response.status}`;
				this.events = [];
				this.next = null;
				return;
			}
			const page = body as EventsPage;
			this.events = page.events;
			this.next = page.next;
		} catch (error) {
			if (request === this.#request) this.error = error instanceof Error ? error.message : String(error);
		} finally {
			if (request === this.#request) this.loading = false;
		}
	}
}
