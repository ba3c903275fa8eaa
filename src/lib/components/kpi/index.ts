export { default as KpiTile } from './KpiTile.svelte';
export { default as Sparkline } from './Sparkline.svelte';
export type { KpiTileData } from './types';
