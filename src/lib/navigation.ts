import { m } from '$lib/paraglide/messages';

export type Role = 'admin' | 'executive' | 'researcher' | 'manager';

export interface NavItem {
	href: string;
	label: () => string;
	/** Roles that see this item; absent means every signed-in role. */
	roles?: readonly Role[];
}

/** The main navigation; pages enforce access themselves, this only hides what a role cannot open. */
export const NAV_ITEMS: readonly NavItem[] = [
	{ href: '/', label: m.nav_home },
	{ href: '/wallboard', label: m.nav_wallboard },
	{ href: '/trends', label: m.nav_trends },
	{ href: '/journeys', label: m.nav_journeys },
	{ href: '/voice', label: m.nav_voice },
	{ href: '/alerts', label: m.nav_alerts },
	{ href: '/cases', label: m.nav_cases },
	{ href: '/risk', label: m.nav_risk },
	{ href: '/outreach', label: m.nav_outreach, roles: ['admin', 'manager', 'executive'] },
	{ href: '/value', label: m.nav_value, roles: ['admin', 'executive'] },
	{ href: '/admin', label: m.nav_admin, roles: ['admin'] }
];

export function navItemsFor(role: Role | null | undefined): NavItem[] {
	return NAV_ITEMS.filter((item) => !item.roles || (role ? item.roles.includes(role) : true));
}

export function isCurrent(href: string, pathname: string): boolean {
	return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}
