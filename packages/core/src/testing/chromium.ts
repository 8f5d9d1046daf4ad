import { existsSync } from 'node:fs';

/**
 * Browser tests drive Debian's Chromium through playwright-core (never a browser download).
 * `CHROMIUM_PATH` overrides the location.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless flags that work as root and on a machine with no network beyond loopback. */
export const CHROMIUM_LAUNCH_ARGS: readonly string[] = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/**
 * Whether Chromium is installed; when it is not, warns once with what to install, so a
 * skipped browser test is visible. Use with `describe.skipIf(!chromiumAvailable('my suite'))`.
 */
export function chromiumAvailable(suite: string): boolean {
  const available = existsSync(CHROMIUM_PATH);
  if (!available)
    console.warn(
      `${suite}: browser tests skipped, no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`,
    );
  return available;
}

/** `chromium.launch(chromiumLaunchOptions())` with playwright-core's `chromium`. */
export function chromiumLaunchOptions(): { executablePath: string; args: string[] } {
  return { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_LAUNCH_ARGS] };
}
