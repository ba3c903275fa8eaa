export { default as Card } from './Card.svelte';
export { default as ComingSoon } from './ComingSoon.svelte';
export { default as LanguageSwitch } from './LanguageSwitch.svelte';
export { default as ThemeToggle } from './ThemeToggle.svelte';
