// Image tag parsing and version comparison, shared by the Calico and kube-dns rules.

export interface Version {
  major: number;
  minor: number;
  patch: number;
}

export function version(major: number, minor: number, patch = 0): Version {
  return { major, minor, patch };
}

function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function atLeast(v: Version, min: Version): boolean {
  return compareVersions(v, min) >= 0;
}

export function formatVersion(v: Version, prefix = 'v'): string {
  return `${prefix}${v.major}.${v.minor}.${v.patch}`;
}

/** Parses `v3.24.0`, `3.24`, `1.14.8`, `v3.14.0-0.dev-123`, `v3.1.3-amd64`; anything else is undefined. */
export function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+][0-9A-Za-z.-]*)?$/.exec(text.trim());
  if (!match) return undefined;
  return version(Number(match[1]), Number(match[2]), match[3] === undefined ? 0 : Number(match[3]));
}

export interface ImageRef {
  /** Everything before the last path segment, registry included ('' when none). */
  repository: string;
  /** The last path segment, e.g. `node` or `k8s-dns-sidecar-amd64`. */
  name: string;
  tag: string | undefined;
  digest: string | undefined;
}

/** Splits an image reference; a registry port (`host:5000/x`) is not mistaken for a tag. */
export function parseImage(image: string): ImageRef {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const lastSlash = rest.lastIndexOf('/');
  return {
    repository: lastSlash >= 0 ? rest.slice(0, lastSlash) : '',
    name: lastSlash >= 0 ? rest.slice(lastSlash + 1) : rest,
    tag,
    digest,
  };
}

export function formatImage(ref: ImageRef): string {
  const path = ref.repository ? `${ref.repository}/${ref.name}` : ref.name;
  return `${path}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}
