import { untrack } from 'svelte';
import { backoffDelay, type BackoffOptions } from './backoff';

/**
 * A live connection to GET /api/v1/stream, shared client state (STYLE.md rule 9): status, when data went stale,
 * and reconnection with back-off. The browser's own EventSource retry is not used: on any error the source is
 * closed and reopened after 1 s, 2 s, 4 s … (≤ 30 s), so a wallboard keeps trying however the server went away,
 * and reports "stale since" meanwhile. A connection silent for longer than `silenceMs` (the server pings every
 * 15 s) is treated as dead too.
 */

export type StreamStatus = 'idle' | 'connecting' | 'live' | 'reconnecting';

type Source = Pick<EventSource, 'addEventListener' | 'close'> & { onerror: EventSource['onerror'] };
export type SourceFactory = (url: string) => Source;

export interface LiveStreamOptions<T> {
	onSnapshot: (data: T) => void;
	onAlert?: (data: unknown) => void;
	silenceMs?: number;
	backoff?: BackoffOptions;
	/** For tests: how to open a source (default: a same-origin EventSource). */
	open?: SourceFactory;
	now?: () => number;
}

export class LiveStream<T> {
	status = $state<StreamStatus>('idle');
	/** The time of the last data received, while disconnected (null while live). */
	staleSince = $state<number | null>(null);
	lastMessageAt = $state<number | null>(null);
	/** Reconnection attempts since the last message. */
	attempts = $state(0);

	#url: string | null = null;
	#source: Source | null = null;
	#retry: ReturnType<typeof setTimeout> | null = null;
	#watchdog: ReturnType<typeof setTimeout> | null = null;
	#options: LiveStreamOptions<T>;
	#now: () => number;
	#detachWindow: (() => void) | null = null;

	constructor(options: LiveStreamOptions<T>) {
		this.#options = options;
		this.#now = options.now ?? Date.now;
	}

	/** Connects to `url` (reconnects when it changed; a no-op when it is the current one). */
	connect(url: string): void {
		if (url === this.#url && this.#source) return;
		this.#url = url;
		this.attempts = 0;
		this.#attachWindow();
		this.#open();
	}

	/**
	 * Keeps the stream connected to `url()` while it is not null (reconnecting when it changes) and closes it when
	 * the component goes. Call while a component initialises: it sets up effects.
	 */
	follow(url: () => string | null): void {
		$effect(() => {
			const next = url();
			untrack(() => (next ? this.connect(next) : this.close()));
		});
		$effect(() => () => this.close());
	}

	/** Closes for good (page left, or a period that is not live). */
	close(): void {
		this.#url = null;
		this.#closeSource();
		this.#clearRetry();
		this.#detachWindow?.();
		this.#detachWindow = null;
		this.status = 'idle';
		this.staleSince = null;
	}

	#open() {
		if (!this.#url) return;
		this.#closeSource();
		this.#clearRetry();
		if (this.status !== 'reconnecting') this.status = 'connecting';
		const open = this.#options.open ?? ((url: string) => new EventSource(url));
		const source = open(this.#url);
		this.#source = source;
		source.addEventListener('kpis', (event) => {
			if (source !== this.#source) return;
			this.#received();
			const data = parse((event as MessageEvent).data);
			if (data !== undefined) this.#options.onSnapshot(data as T);
		});
		source.addEventListener('alert', (event) => {
			if (source !== this.#source) return;
			this.#received();
			const data = parse((event as MessageEvent).data);
			if (data !== undefined) this.#options.onAlert?.(data);
		});
		source.addEventListener('ping', () => {
			if (source === this.#source) this.#received();
		});
		source.onerror = () => {
			if (source === this.#source) this.#drop();
		};
		this.#arm();
	}

	#received() {
		this.lastMessageAt = this.#now();
		this.status = 'live';
		this.staleSince = null;
		this.attempts = 0;
		this.#arm();
	}

	/** The connection failed or went silent: close it, mark the data stale, and retry after a back-off. */
	#drop() {
		this.#closeSource();
		if (!this.#url) return;
		if (this.staleSince === null) this.staleSince = this.lastMessageAt ?? this.#now();
		this.status = 'reconnecting';
		const delay = backoffDelay(this.attempts, this.#options.backoff);
		this.attempts += 1;
		this.#clearRetry();
		this.#retry = setTimeout(() => this.#open(), delay);
	}

	#arm() {
		if (this.#watchdog) clearTimeout(this.#watchdog);
		this.#watchdog = setTimeout(() => this.#drop(), this.#options.silenceMs ?? 40_000);
	}

	#closeSource() {
		if (this.#watchdog) clearTimeout(this.#watchdog);
		this.#watchdog = null;
		this.#source?.close();
		this.#source = null;
	}

	#clearRetry() {
		if (this.#retry) clearTimeout(this.#retry);
		this.#retry = null;
	}

	#attachWindow() {
		if (this.#detachWindow || typeof window === 'undefined') return;
		// The browser knows before the socket does: drop at once when offline, retry at once when back online.
		const offline = () => this.#drop();
		const online = () => {
			this.attempts = 0;
			this.#open();
		};
		window.addEventListener('offline', offline);
		window.addEventListener('online', online);
		this.#detachWindow = () => {
			window.removeEventListener('offline', offline);
			window.removeEventListener('online', online);
		};
	}
}

function parse(text: unknown): unknown {
	if (typeof text !== 'string') return undefined;
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}
