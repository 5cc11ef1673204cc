// A process-wide listener for the duration of every Plex request, for the
// service's /metrics. Unset (the plugin's processes) it costs one check.

/** `outcome`: the HTTP status, or 'error' when no answer came (refused, timeout). */
export type PlexRequestObserver = (seconds: number, method: string, outcome: string) => void;

let observer: PlexRequestObserver | undefined;

export function observePlexRequests(fn: PlexRequestObserver | undefined): void {
  observer = fn;
}

export function plexRequestObserver(): PlexRequestObserver | undefined {
  return observer;
}
