export { default as AdminPage } from './AdminPage.svelte';
export { default as RoleField } from './RoleField.svelte';
export { default as RowEditor } from './RowEditor.svelte';
export { default as TeamPicker } from './TeamPicker.svelte';
