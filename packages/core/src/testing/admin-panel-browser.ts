import type { Browser, BrowserContext, Page } from 'playwright-core';

/** A person who signs in to the admin panel (an `AdminUserService` user). */
export interface AdminPanelCredentials {
  username: string;
  password: string;
}

export interface AdminPanelPageOptions {
  /** Default 1366×900. */
  viewport?: { width: number; height: number };
  /**
   * `'errors'`: errors the page logs to the console count in `errors` too (a page that must
   * log nothing). Default `'apart'`: they go to `consoleErrors` only, since a refused request
   * (4xx) is logged by the browser, as it should be.
   */
  consoleErrors?: 'apart' | 'errors';
  /** How long the panel may take to show the signed-in user; default 30 s. */
  timeoutMs?: number;
}

export interface AdminPanelPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors of the page's scripts (and console errors with `consoleErrors: 'errors'`). */
  errors: string[];
  /** Errors the page logged to the console. */
  consoleErrors: string[];
}

/**
 * A new browser context (English, reduced motion) on the admin panel's sign-in page of the app
 * at `baseUrl`, collecting the page's errors. Close `context` at the end of the test.
 */
export async function openAdminPanel(
  browser: Browser,
  baseUrl: string,
  options: AdminPanelPageOptions = {},
): Promise<AdminPanelPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1366, height: 900 },
    locale: 'en-US',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  const consoleErrors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    consoleErrors.push(message.text());
    if (options.consoleErrors === 'errors') errors.push(message.text());
  });
  await page.goto(`${baseUrl}/admin/`);
  return { context, page, errors, consoleErrors };
}

/** Signs in through the panel's form and waits until it shows the signed-in user. */
export async function signInToAdminPanel(
  page: Page,
  who: AdminPanelCredentials,
  timeoutMs = 30_000,
): Promise<void> {
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('current-user').waitFor({ timeout: timeoutMs });
}

/** `openAdminPanel`, then `signInToAdminPanel` as `who`: the panel's start page, signed in. */
export async function signedInAdminPanel(
  browser: Browser,
  baseUrl: string,
  who: AdminPanelCredentials,
  options: AdminPanelPageOptions = {},
): Promise<AdminPanelPage> {
  const opened = await openAdminPanel(browser, baseUrl, options);
  await signInToAdminPanel(opened.page, who, options.timeoutMs);
  return opened;
}
