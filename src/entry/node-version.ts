// The oldest Node PlexSync runs on (node:sqlite unflagged). Checked before
// anything else loads, so an older Node gets a clear answer instead of
// "No such built-in module: node:sqlite".
export const MIN_NODE = { major: 22, minor: 13 } as const;

/** The refusal for this Node, or undefined when it is new enough. */
export function nodeTooOld(version: string = process.versions.node): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major > MIN_NODE.major || (major === MIN_NODE.major && minor >= MIN_NODE.minor)) return undefined;
  return `PlexSync needs Node.js ${MIN_NODE.major}.${MIN_NODE.minor} or newer (this is v${version})`;
}
