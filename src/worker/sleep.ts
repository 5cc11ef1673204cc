// A promise-returning setTimeout. Not node:timers/promises: the bundle is one
// file, so a static import of it would load that module in every hook process.
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
