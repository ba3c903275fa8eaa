/**
 * The chart palette of the current theme, read from the CSS variables of app.css (ECharts cannot read CSS), and
 * updated when the theme is toggled (html[data-theme]) or the system scheme changes. One per page that has charts.
 */

export interface ChartPalette {
	text: string;
	muted: string;
	border: string;
	surface: string;
	brand: string;
	good: string;
	warn: string;
	bad: string;
}

export const LIGHT_PALETTE: ChartPalette = {
	text: '#17212b',
	muted: '#5a6878',
	border: '#d9e0e8',
	surface: '#ffffff',
	brand: '#0f5c8c',
	good: '#1d7a4d',
	warn: '#a86400',
	bad: '#b42318'
};

export class ThemeColors {
	palette = $state<ChartPalette>(LIGHT_PALETTE);
	#stop: (() => void) | null = null;

	/** Starts following the theme (browser only); returns the cleanup. */
	start(element: HTMLElement = document.documentElement): () => void {
		const read = () => {
			const style = getComputedStyle(element);
			const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
			this.palette = {
				text: v('--text', LIGHT_PALETTE.text),
				muted: v('--text-muted', LIGHT_PALETTE.muted),
				border: v('--border', LIGHT_PALETTE.border),
				surface: v('--surface', LIGHT_PALETTE.surface),
				brand: v('--brand', LIGHT_PALETTE.brand),
				good: v('--good', LIGHT_PALETTE.good),
				warn: v('--warn', LIGHT_PALETTE.warn),
				bad: v('--bad', LIGHT_PALETTE.bad)
			};
		};
		read();
		const observer = new MutationObserver(read);
		observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
		const media = matchMedia('(prefers-color-scheme: dark)');
		media.addEventListener('change', read);
		this.#stop = () => {
			observer.disconnect();
			media.removeEventListener('change', read);
		};
		return () => this.stop();
	}

	stop(): void {
		this.#stop?.();
		this.#stop = null;
	}
}
