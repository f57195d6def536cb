export function chartTemplate(): string { return ''; }
