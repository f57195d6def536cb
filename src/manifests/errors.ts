// The errors of reading a manifest file. A ManifestError makes the whole file unusable (exit 2).

export class ManifestError extends Error {}
