// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
	namespace App {
		interface Error {
			message: string;
			code?: string;
		}
		interface Locals {
			/** Set by the auth hook when a session or a read key is valid. */
			user: import('$lib/server/auth/types').AuthUser | null;
			session: import('$lib/server/auth/types').AuthSession | null;
		}
		// interface PageData {}
		// interface PageState {}
		// interface Platform {}
	}
}

export {};
