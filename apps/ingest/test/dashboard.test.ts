/**
 * The dashboard in real Chromium: sign in with the read key, see the chart, the inactive lists
 * and the top events of a known history, sort, follow links, look a user up, sign out — all
 * under the pages' Content-Security-Policy, which must block nothing the pages use.
 * Screenshots are saved under test-results/.
 */
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumLaunchOptions } from '../../../scripts/chromium.mjs'
import type { RunningServer } from '../src/server.js'
import { READ_KEY, startTestServer, WRITE_KEY } from './helpers.js'
import { daysAgo, knownHistory, sendBatch } from './support/insights-seed.js'

const shots = fileURLToPath(new URL('../test-results/', import.meta.url))

let server: RunningServer
let browser: Browser
let page: Page
/** What the browser's console said about the Content-Security-Policy. */
const violations: string[] = []

const cells = (testId: string, column = 1) =>
  page.locator(`[data-testid="${testId}"] tbody tr td:nth-child(${column})`).allTextContents()

beforeAll(async () => {
  mkdirSync(shots, { recursive: true })
  server = await startTestServer()
  await sendBatch(server.url, WRITE_KEY, knownHistory())
  browser = await chromium.launch(chromiumLaunchOptions)
  page = await browser.newPage({ viewport: { width: 1200, height: 1000 } })
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text())
  })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe('dashboard', () => {
  it('asks for the read key, and refuses a write key', async () => {
    await page.goto(server.url)
    // Standards mode, not quirks mode.
    expect(await page.evaluate(() => document.compatMode)).toBe('CSS1Compat')
    await expect(page.getByRole('heading', { name: /read key/ }).isVisible()).resolves.toBe(true)
    await page.getByLabel('Read key').fill(WRITE_KEY)
    await page.getByRole('button', { name: 'Sign in' }).click()
    expect(await page.locator('.error').textContent()).toMatch(/write key cannot read/)
  })

  it('signs in and shows the chart, the quiet users and accounts, and top events', async () => {
    await page.getByLabel('Read key').fill(READ_KEY)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByTestId('active-chart').waitFor()
    expect(page.url()).toBe(`${server.url}/`)
    expect(page.url()).not.toContain(READ_KEY)
    const cookies = await page.context().cookies()
    expect(JSON.stringify(cookies)).not.toContain(READ_KEY)
    const [cookie] = cookies.filter((c) => c.name === 'lastseen_session')
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' })

    expect(await page.getByTestId('dau').textContent()).toBe('1')
    expect(await page.getByTestId('wau').textContent()).toBe('2')
    expect(await page.getByTestId('mau').textContent()).toBe('4')
    // Three lines, each solid to yesterday and dashed to today's partial point.
    expect(await page.locator('[data-testid="active-chart"] polyline').count()).toBe(6)
    const mauPoints = await page.locator('polyline[data-series="mau"]').getAttribute('points')
    expect(mauPoints?.split(' ')).toHaveLength(29)
    expect(await page.locator('[data-testid="active-chart"] .pt').count()).toBe(30)

    expect(await cells('inactive-users')).toEqual(['u_3', 'u_2'])
    expect(await cells('inactive-accounts')).toEqual(['globex'])
    expect(await cells('top-events')).toEqual(['search', 'login', 'report.export'])
    expect(await cells('top-events', 2)).toEqual(['5', '2', '1'])
    // 4 weeks: u_1 3 days, u_2 2, u_3 1, u_4 1 → rounded 1, 1, 0, 0 days a week.
    expect(await cells('frequency', 2)).toEqual(['2', '2', '0', '0', '0', '0', '0', '0'])
    await page.screenshot({ path: `${shots}dashboard-overview.png`, fullPage: true })
  })

  it('sorts the inactive users by what is being lost', async () => {
    await page
      .getByTestId('inactive-users')
      .getByRole('link', { name: /^Events/ })
      .click()
    expect(new URL(page.url()).searchParams.get('usort')).toBe('events')
    expect(await cells('inactive-users')).toEqual(['u_2', 'u_3'])
    expect(await cells('inactive-users', 6)).toEqual(['4', '0'])
  })

  it('follows a quiet user to their page, then to their account', async () => {
    await page.getByTestId('inactive-users').getByRole('link', { name: 'u_2' }).click()
    expect(await page.getByTestId('user-title').textContent()).toBe('User u_2')
    expect(await page.locator('main').textContent()).toMatch(/login: 1/)
    await page.screenshot({ path: `${shots}dashboard-user.png`, fullPage: true })
    await page.getByRole('link', { name: 'acme' }).click()
    expect(await page.getByTestId('account-title').textContent()).toBe('Account acme')
    expect(await cells('account-users')).toEqual(['u_1', 'u_2quiet'])
    await page.screenshot({ path: `${shots}dashboard-account.png`, fullPage: true })
  })

  it('pages through a long list of quiet users', async () => {
    const quiet = Array.from({ length: 30 }, (_, i) => `q_${String(i).padStart(2, '0')}`)
    await sendBatch(
      server.url,
      WRITE_KEY,
      quiet.map((userId) => ({
        id: crypto.randomUUID(),
        type: 'seen' as const,
        userId,
        timestamp: daysAgo(21),
      })),
    )
    await page.goto(`${server.url}/?usort=last_seen&uorder=asc`)
    // 32 quiet users: the 30 seen 21 days ago (ordered by id), then u_2 and u_3.
    expect(await cells('inactive-users')).toEqual(quiet.slice(0, 25))
    await page.getByRole('link', { name: 'Next →' }).first().click()
    expect(new URL(page.url()).searchParams.get('uoffset')).toBe('25')
    expect(await cells('inactive-users')).toEqual([...quiet.slice(25), 'u_2', 'u_3'])
    expect(await page.getByTestId('inactive-users').locator('caption').textContent()).toMatch(
      /^26–32 of 32\./,
    )
    await page.getByRole('link', { name: '← Previous' }).first().click()
    expect(await cells('inactive-users')).toEqual(quiet.slice(0, 25))
  })

  it('looks a user up by id, and signs out', async () => {
    await page.getByLabel('Find a user or account').fill('u_4')
    await page.getByRole('button', { name: 'Find' }).click()
    expect(await page.getByTestId('user-title').textContent()).toBe('User u_4')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('Read key').waitFor()
    const res = await page.goto(`${server.url}/users/u_4`)
    expect(new URL(res?.url() ?? '').pathname).toBe('/')
    expect(await page.getByLabel('Read key').isVisible()).toBe(true)
  })

  it('was styled by its own stylesheet only: the policy blocked nothing', async () => {
    expect(violations).toEqual([])
    // The stylesheet applied: the sign-in form is the narrow column.
    const width = await page.locator('section.narrow').evaluate((el) => el.clientWidth)
    expect(width).toBeLessThanOrEqual(420)
  })
})
