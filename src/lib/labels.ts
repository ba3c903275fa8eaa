import { m } from '$lib/paraglide/messages';

const channels: Record<string, () => string> = {
	phone: m.channel_phone,
	ivr: m.channel_ivr,
	chat: m.channel_chat,
	bot: m.channel_bot,
	app: m.channel_app,
	wechat: m.channel_wechat,
	video: m.channel_video,
	branch: m.channel_branch
};

const segments: Record<string, () => string> = {
	mass: m.filters_segment_mass,
	affluent: m.filters_segment_affluent,
	private: m.filters_segment_private
};

const eventTypes: Record<string, () => string> = {
	journey: m.type_journey,
	contact: m.type_contact,
	feedback: m.type_feedback,
	complaint: m.type_complaint,
	identify: m.type_identify
};

/** The display name of a channel in the current language (the stored value when unknown). */
export function channelLabel(channel: string | null): string {
	return channel ? (channels[channel]?.() ?? channel) : '—';
}

export function eventTypeLabel(type: string): string {
	return eventTypes[type]?.() ?? type;
}

/** The display name of a customer segment (大众 / 贵宾 / 私行) in the current language. */
export function segmentLabel(segment: string | null): string {
	return segment ? (segments[segment]?.() ?? segment) : '—';
}

/**
 * A customer id as every screen shows it: enough to tell records apart, not enough to copy an id out of a
 * screenshot. The API keeps ids intact (links to the timeline use them); only the display is masked.
 */
export function maskCustomerId(id: string): string {
	const chars = [...id];
	if (chars.length <= 4) return `${chars[0] ?? ''}•••`;
	if (chars.length <= 6) return `${chars.slice(0, 2).join('')}•••${chars.slice(-1).join('')}`;
	if (chars.length <= 12) return `${chars.slice(0, 3).join('')}•••${chars.slice(-2).join('')}`;
	return `${chars.slice(0, 3).join('')}•••${chars.slice(-3).join('')}`;
}
