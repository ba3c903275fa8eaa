export { default as CustomerRisk } from './CustomerRisk.svelte';
export type { CustomerRiskData } from './types';
