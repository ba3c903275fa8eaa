export { default as AlertBell } from './AlertBell.svelte';
export { default as SeverityBadge } from './SeverityBadge.svelte';
export * from './alert-text';
