import type { FilterDimension } from './filter-state';

/** One choice of a filter: the stored value and, when the server knows one, its name in both languages. */
export interface FilterOption {
	value: string;
	label: { zh: string; en: string } | null;
}

export type FilterOptions = Record<FilterDimension, FilterOption[]>;
