/*
 * Resonance signed embeds: <resonance-embed token="…" | token-url="…" type="kpis" key="…" params="range=7d">.
 * Shows one Resonance view in an iframe from the origin this script was loaded from. With token-url, the
 * element fetches {"token"} from the host (cookies included) and again shortly before the token expires. The
 * iframe's height follows the view's content (both ways) from its {type:"resonance:resize",height} messages,
 * accepted only from that iframe and the Resonance origin.
 */
(() => {
	if (customElements.get('resonance-embed')) return;
	const script = document.currentScript;
	const base = new URL(script && script.src ? script.src : location.href).origin;
	const KEYED = ['funnel', 'paths', 'customer'];

	function claimsOf(token) {
		try {
			const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
			return JSON.parse(decodeURIComponent(escape(atob(part))));
		} catch {
			return {};
		}
	}

	class ResonanceEmbed extends HTMLElement {
		static observedAttributes = ['token', 'token-url', 'type', 'key', 'params'];

		constructor() {
			super();
			this.iframe = null;
			this.refresh = null;
			this.onMessage = (event) => {
				if (!this.iframe || event.source !== this.iframe.contentWindow || event.origin !== base) return;
				const data = event.data;
				if (!data || data.type !== 'resonance:resize' || typeof data.height !== 'number') return;
				this.iframe.style.height = `${Math.max(0, Math.ceil(data.height))}px`;
				this.dispatchEvent(new CustomEvent('resonance:resize', { detail: { height: data.height } }));
			};
		}

		connectedCallback() {
			if (!this.iframe) {
				this.iframe = document.createElement('iframe');
				this.iframe.title = this.getAttribute('title') || 'Resonance';
				this.iframe.setAttribute('referrerpolicy', 'origin');
				this.iframe.style.cssText = 'display:block;width:100%;border:0;height:150px';
				this.appendChild(this.iframe);
			}
			window.addEventListener('message', this.onMessage);
			this.load();
		}

		disconnectedCallback() {
			window.removeEventListener('message', this.onMessage);
			clearTimeout(this.refresh);
		}

		attributeChangedCallback() {
			if (this.isConnected && this.iframe) this.load();
		}

		async load() {
			clearTimeout(this.refresh);
			let token = this.getAttribute('token');
			const tokenUrl = this.getAttribute('token-url');
			if (!token && tokenUrl) {
				try {
					const answer = await fetch(tokenUrl, {
						credentials: 'include',
						headers: { accept: 'application/json' }
					});
					token = (await answer.json()).token;
				} catch (error) {
					this.dispatchEvent(new CustomEvent('resonance:error', { detail: { error: String(error) } }));
					this.refresh = setTimeout(() => this.load(), 30_000);
					return;
				}
			}
			if (!token) return;
			const claims = claimsOf(token);
			const type = this.getAttribute('type') || (claims.res && claims.res.type) || 'kpis';
			const key = this.getAttribute('key') || (claims.res && claims.res.key);
			const path = `/embed/${encodeURIComponent(type)}${KEYED.includes(type) && key ? `/${encodeURIComponent(key)}` : ''}`;
			const query = new URLSearchParams(this.getAttribute('params') || '');
			query.set('token', token);
			this.iframe.src = `${base}${path}?${query}`;
			// A fresh token a minute before expiry (or at 80% of a short lifetime), only when the host can give one.
			if (tokenUrl && claims.exp) {
				const left = claims.exp * 1000 - Date.now();
				const lifetime = claims.iat ? (claims.exp - claims.iat) * 1000 : left;
				const wait = Math.max(5_000, Math.min(left - 60_000, lifetime * 0.8));
				this.refresh = setTimeout(() => this.load(), wait);
			}
		}
	}

	customElements.define('resonance-embed', ResonanceEmbed);
})();
