/** Waits until `check` holds, polling every `everyMs`; throws "timed out" after `ms`. */
export async function until(
	check: () => boolean | Promise<boolean>,
	ms = 10_000,
	everyMs = 20
): Promise<void> {
	const end = Date.now() + ms;
	while (!(await check())) {
		if (Date.now() > end) throw new Error('timed out');
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
}
