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
