// What the service's dashboard asks Stash: scenes by search text or by id,
// with just enough to show them. test/stash-queries.test.ts validates it.

export const DASHBOARD_SCENES = `
query PlexSyncDashboardScenes($q: String, $perPage: Int!, $ids: [ID!]) {
  findScenes(filter: { q: $q, page: 1, per_page: $perPage, sort: "updated_at", direction: DESC }, ids: $ids) {
    count
    scenes { id title date updated_at files { path } }
  }
}`;

export interface WireDashboardScene {
  id: string;
  title: string | null;
  date: string | null;
  updated_at: string;
  files: { path: string }[];
}

export interface WireDashboardScenes {
  findScenes: { count: number; scenes: WireDashboardScene[] };
}
