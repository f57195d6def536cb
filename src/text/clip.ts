// Shortening text that comes from outside (a request, a found value) before it goes into a message,
// a log line or a warning, so a hostile or huge value cannot make a huge answer.

/** The text, or its first `max` characters followed by how long it was. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length} chars)`;
}

/** The text cut to at most `max` characters in all, ending in … when cut (Kubernetes drops longer warnings). */
export function clipTo(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
