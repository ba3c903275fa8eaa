export { default as Card } from './Card.svelte';
export { default as LanguageSwitch } from './LanguageSwitch.svelte';
export { default as ThemeToggle } from './ThemeToggle.svelte';
export { default as Button } from './Button.svelte';
export { default as DataTable } from './DataTable.svelte';
export { default as Field } from './Field.svelte';
export { default as Notice } from './Notice.svelte';
