import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { inject } from 'vitest';
import type { TestDesk } from './desk.js';

/**
 * Debian's Chromium driven by playwright-core: Playwright's own browser download does not work on
 * the machines that run this suite, and the distribution's browser is the one a desk would have.
 */
export function openBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: inject('chromiumPath'), args: ['--no-sandbox', '--headless=new'] });
}

export interface RunningConsole {
  /** `http://127.0.0.1:<port>`: where the browser goes. */
  base: string;
  /** Cuts every open connection (the live stream's too), as a network blip would; the server keeps listening. */
  dropConnections(): void;
  close(): Promise<void>;
}

/** The desk's app on a loopback port of its own, as the web role would serve it. */
export async function startConsole(desk: Pick<TestDesk, 'app'>): Promise<RunningConsole> {
  const server: Server = createServer(desk.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    dropConnections: () => server.closeAllConnections(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Signs in through the form, as a person would; lands on the queue. */
export async function signIn(page: Page, base: string, token: string, lang: 'en' | 'fr' = 'en'): Promise<void> {
  await page.goto(`${base}/login?lang=${lang}`);
  await page.getByLabel(lang === 'en' ? 'API token' : "Jeton d'API").fill(token);
  await page.getByRole('button', { name: lang === 'en' ? 'Sign in' : 'Se connecter' }).click();
  await page.waitForURL(`${base}/`);
}

/** Everything the page complained about: console errors, uncaught exceptions, CSP refusals, failed or refused loads. */
export function watchConsoleErrors(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    // Chromium also logs every 4xx as "Failed to load resource"; the response handler below judges those.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) seen.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    // A page may answer 401 or 422 on purpose (the contract's refused forms); what it loads may not fail.
    if (response.status() >= 400 && response.request().resourceType() !== 'document') {
      seen.push(`${response.status()}: ${response.url()}`);
    }
  });
  page.on('pageerror', (error) => seen.push(`exception: ${error.message}`));
  page.on('requestfailed', (request) => {
    // An EventSource or fetch cut by navigating away is not a failure of the page.
    const reason = request.failure()?.errorText ?? '';
    if (!reason.includes('ERR_ABORTED')) seen.push(`request failed: ${request.url()} ${reason}`);
  });
  return seen;
}

const require = createRequire(import.meta.url);

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown }>;
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core run inside the page. It is evaluated through the DevTools protocol, which the page's
 * CSP does not govern: a script tag would be refused, as any inline script on the console is.
 * Returns the serious and critical violations, each as `rule: help (selectors)`.
 */
export async function checkAccessibility(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run();
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.join(', ')})`);
}

/** The README's pictures, retaken with `UPDATE_SCREENSHOTS=1`: an ordinary run leaves the checkout as it found it. */
export async function readmeScreenshot(page: Page, file: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS === '1') await page.screenshot({ path: `docs/${file}` });
}
