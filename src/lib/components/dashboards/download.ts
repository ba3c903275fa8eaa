/** Browser downloads of exports made on the client (CSV text, chart images). */

export function downloadBlob(blob: Blob, fileName: string): void {
	const url = URL.createObjectURL(blob);
	downloadUrl(url, fileName);
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadUrl(url: string, fileName: string): void {
	const a = document.createElement('a');
	a.href = url;
	a.download = fileName;
	a.rel = 'noopener';
	a.style.display = 'none';
	document.body.append(a);
	a.click();
	a.remove();
}

export function downloadText(text: string, fileName: string, type = 'text/csv;charset=utf-8'): void {
	downloadBlob(new Blob([text], { type }), fileName);
}
