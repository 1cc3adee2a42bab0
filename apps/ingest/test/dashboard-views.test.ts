/**
 * The dashboard a founder opens every morning, in real Chromium on a seeded history, at a
 * desktop's 1440×900 and a phone's 390×844: every figure on the pages equals the read API's
 * answer to the same question, nothing is wider than the phone, the chart reads out exact values
 * on hover and on focus (arrow keys with the script, Tab without it), today is marked partial,
 * the lists export as CSV, and the pages work with JavaScript off.
 * Screenshots are saved under apps/ingest/test-results/dashboard/ (gitignored).
 */
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumLaunchOptions } from '../../../scripts/chromium.mjs'
import { addDays, dayOf } from '../src/insights/days.js'
import type { RunningServer } from '../src/server.js'
import { READ_KEY, startTestServer, WRITE_KEY } from './helpers.js'
import { dashboardHistory, dashboardTraits, sendBatch } from './support/insights-seed.js'

const shots = fileURLToPath(new URL('../test-results/dashboard/', import.meta.url))

const VIEWPORTS = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const

let server: RunningServer
let browser: Browser
const today = dayOf(Date.now())
/** What the browser's console said about the Content-Security-Policy, and page errors. */
const problems: string[] = []

// biome-ignore lint/suspicious/noExplicitAny: answers are compared with what the page shows
async function api(path: string): Promise<any> {
  const res = await fetch(`${server.url}${path}`, {
    headers: { authorization: `Bearer ${READ_KEY}` },
  })
  expect(res.status, path).toBe(200)
  return res.headers.get('content-type')?.startsWith('text/csv') ? res.text() : res.json()
}

async function signedInContext(
  viewport: { width: number; height: number },
  javaScriptEnabled = true,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, javaScriptEnabled, colorScheme })
  const page = await context.newPage()
  page.on('console', (m) => {
    if (/Content Security Policy|Refused/i.test(m.text())) problems.push(m.text())
  })
  page.on('pageerror', (err) => problems.push(String(err)))
  await page.goto(server.url)
  expect(await pageWidth(page)).toBeLessThanOrEqual(viewport.width)
  await page.getByLabel('Read key').fill(READ_KEY)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByTestId('period-summary').waitFor()
  return { context, page }
}

const text = (page: Page, testId: string) => page.getByTestId(testId).textContent()

/**
 * The page's width: nothing may make the document scroll sideways. When something does, the
 * failure names the elements that stick out.
 */
async function pageWidth(page: Page): Promise<number> {
  const { width, over } = await page.evaluate(() => {
    const right = window.innerWidth
    const over = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > right + 0.5)
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.getAttribute('class') ?? ''}`)
    return { width: document.documentElement.scrollWidth, over }
  })
  if (over.length > 0) console.error(`wider than the screen: ${over.join(', ')}`)
  return width
}

/** The ids of a list's rows, in order. */
const firstCells = (page: Page, testId: string) =>
  page
    .locator(`[data-testid="${testId}"] tbody tr[data-id]`)
    .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')))

beforeAll(async () => {
  mkdirSync(shots, { recursive: true })
  server = await startTestServer()
  const history = dashboardHistory()
  await sendBatch(server.url, WRITE_KEY, history)
  // Sent twice: nothing may count twice.
  await sendBatch(server.url, WRITE_KEY, history)
  await sendBatch(server.url, WRITE_KEY, dashboardTraits())
  browser = await chromium.launch(chromiumLaunchOptions)
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe.each(VIEWPORTS)('the dashboard at $width×$height', (viewport) => {
  let context: BrowserContext
  let page: Page

  beforeAll(async () => {
    ;({ context, page } = await signedInContext(viewport))
  })
  afterAll(async () => {
    await context?.close()
  })

  it('compares the period with the one before, with the read API’s numbers', async () => {
    const from = addDays(today, -29)
    const summary = await api(`/v1/summary?from=${from}&to=${today}`)
    for (const figure of ['activeUsers', 'activeAccounts', 'newUsers', 'returningUsers']) {
      expect(await text(page, `now-${figure}`), figure).toBe(String(summary.current[figure]))
      expect(await text(page, `before-${figure}`), figure).toBe(String(summary.previous[figure]))
    }
    // The seeded history has movement in every figure but one.
    expect(summary.current.activeUsers).not.toBe(summary.previous.activeUsers)
    const active = await api(`/v1/active?from=${from}&to=${today}`)
    const last = active.series.at(-1)
    expect(await text(page, 'dau')).toBe(String(last.active))
    expect(await text(page, 'wau')).toBe(String(last.wau))
    expect(await text(page, 'mau')).toBe(String(last.mau))
    expect(await text(page, 'stickiness')).toBe(`${Math.round(active.stickiness.ratio * 100)}%`)
    const points = await page.locator('[data-testid="active-chart"] .pt').evaluateAll((els) =>
      els.map((el) => ({
        date: el.getAttribute('data-date'),
        active: Number(el.getAttribute('data-active')),
        wau: Number(el.getAttribute('data-wau')),
        mau: Number(el.getAttribute('data-mau')),
      })),
    )
    expect(points).toEqual(active.series)
    await page.screenshot({ path: `${shots}overview-${viewport.name}.png`, fullPage: true })
  })

  it('marks today as partial', async () => {
    const chart = page.getByTestId('active-chart')
    expect(await chart.locator('.pt').last().getAttribute('data-partial')).toBe('')
    expect(await chart.locator('.pt[data-partial]').count()).toBe(1)
    expect(await text(page, 'chart-last-label')).toBe('today (so far)')
    expect(await chart.locator('polyline[data-series="mau-partial"]').count()).toBe(1)
    expect(await chart.locator('.pt').last().getAttribute('aria-label')).toMatch(
      /\(today, so far\): DAU \d+ · WAU \d+ · MAU \d+$/,
    )
  })

  it('reads out exact values on hover', async () => {
    const chart = page.getByTestId('active-chart')
    const point = chart.locator('.pt').nth(10)
    const tip = point.locator('.tip')
    expect(await tip.isVisible()).toBe(false)
    await point.locator('.hit').hover()
    expect(await tip.isVisible()).toBe(true)
    const [active, wau, mau] = await Promise.all(
      ['data-active', 'data-wau', 'data-mau'].map((a) => point.getAttribute(a)),
    )
    expect(await tip.textContent()).toContain(`DAU ${active} · WAU ${wau} · MAU ${mau}`)
    if (viewport.name === 'desktop') {
      await page.screenshot({ path: `${shots}chart-hover-${viewport.name}.png` })
    }
  })

  it('lists the users and accounts gone quiet at the chosen threshold, as the API does', async () => {
    for (const quiet of ['7d', '14d', '30d']) {
      await page.goto(`${server.url}/?quiet=${quiet}`)
      const users = await api(`/v1/inactive?level=user&after=${quiet}&limit=25`)
      const accounts = await api(`/v1/inactive?level=account&after=${quiet}&limit=25`)
      expect(await firstCells(page, 'inactive-users'), quiet).toEqual(
        users.items.map((i: { userId: string }) => i.userId),
      )
      expect(await firstCells(page, 'inactive-accounts'), quiet).toEqual(
        accounts.items.map((i: { accountId: string }) => i.accountId),
      )
      expect(await page.locator('#quiet-users').textContent()).toContain(`(${users.total})`)
      expect(await page.locator('#gone-quiet').textContent()).toContain(
        `not seen for ${quiet.replace('d', ' days')}`,
      )
      expect(await pageWidth(page)).toBeLessThanOrEqual(viewport.width)
    }
    // The thresholds differ on this history: 7 days lists u_2 (10 days quiet), 30 days not.
    const week = await api('/v1/inactive?after=7d')
    const month = await api('/v1/inactive?after=30d')
    expect(week.items.map((i: { userId: string }) => i.userId)).toContain('u_2')
    expect(month.items.map((i: { userId: string }) => i.userId)).not.toContain('u_2')
    expect(await page.locator('select[name="quiet"]').inputValue()).toBe('30d')
  })

  it('lists the accounts, then the users, slipping, as the API does', async () => {
    await page.goto(server.url)
    const order = await page
      .locator('#slipping ~ h3, #gone-quiet ~ h3')
      .evaluateAll((els) => els.map((e) => e.id))
    expect(order).toEqual(['slipping-accounts', 'slipping-users', 'quiet-accounts', 'quiet-users'])
    for (const level of ['account', 'user']) {
      const answer = await api(`/v1/declining?level=${level}&limit=10`)
      const rows = page.locator(`[data-testid="declining-${level}s"] tbody tr[data-id]`)
      const shown = await rows.evaluateAll((trs) =>
        trs.map((tr) => {
          const cells = [...tr.querySelectorAll('td.n')].map((td) => td.textContent ?? '')
          return [tr.getAttribute('data-id'), ...cells]
        }),
      )
      expect(shown, level).toEqual(
        answer.items.map(
          (i: {
            userId?: string
            accountId: string
            recent: number
            expected: number
            drop: number
          }) => [
            i.userId ?? i.accountId,
            String(i.recent),
            Number.isInteger(i.expected) ? String(i.expected) : i.expected.toFixed(1),
            `−${Math.round(i.drop * 100)}%`,
          ],
        ),
      )
      expect(await page.locator(`#slipping-${level}s`).textContent()).toContain(`(${answer.total})`)
    }
    // u_7 came daily for eight weeks, then once in the last two.
    expect(await page.locator('[data-testid="declining-users"] tr[data-id="u_7"]').count()).toBe(1)
    const csv = await page.request.get(`${server.url}/export/declining.csv?level=user`)
    expect(await csv.text()).toBe(await api('/v1/declining?level=user&limit=1000&format=csv'))
  })

  it('shows lifecycle and retention by week and by month, as the API does', async () => {
    for (const by of ['week', 'month']) {
      await page.goto(by === 'week' ? server.url : `${server.url}/?by=month`)
      const cycle = await api(`/v1/lifecycle?interval=${by}`)
      const periods = await page.locator('[data-testid="lifecycle"] tbody tr').evaluateAll((trs) =>
        trs.map((tr) => ({
          period: tr.getAttribute('data-period'),
          ...Object.fromEntries(
            [...tr.querySelectorAll('td[data-kind]')].map((td) => [
              td.getAttribute('data-kind'),
              Number(td.getAttribute('data-value')),
            ]),
          ),
        })),
      )
      expect(periods, by).toEqual(cycle.periods)
      const kept = await api(`/v1/retention?interval=${by}`)
      const cohorts = await page.locator('[data-testid="retention"] tbody tr').evaluateAll((trs) =>
        trs.map((tr) => ({
          cohort: tr.getAttribute('data-cohort'),
          size: Number(tr.querySelector('[data-size]')?.getAttribute('data-size')),
          active: [...tr.querySelectorAll('td[data-active]')].map((td) =>
            Number(td.getAttribute('data-active')),
          ),
        })),
      )
      expect(cohorts, by).toEqual(kept.cohorts)
      expect(await pageWidth(page), by).toBeLessThanOrEqual(viewport.width)
    }
    // The seeded history moves: someone is new, someone returns, someone left.
    const weeks = await api('/v1/lifecycle?interval=week')
    const total = (k: string) =>
      weeks.periods.reduce((n: number, p: Record<string, number>) => n + (p[k] ?? 0), 0)
    expect([total('new'), total('returning'), total('dormant')].every((n) => n > 0)).toBe(true)
    await page.locator('#lifecycle').scrollIntoViewIfNeeded()
    await page.screenshot({ path: `${shots}lifecycle-${viewport.name}.png` })
  })

  it('shows the top events and the return frequency of the period, as the API does', async () => {
    await page.goto(`${server.url}/?from=${addDays(today, -6)}&to=${today}`)
    const events = await api(`/v1/events?from=${addDays(today, -6)}&to=${today}`)
    const counts = await page
      .locator('[data-testid="top-events"] tbody tr td:nth-child(2)')
      .allTextContents()
    expect(counts).toEqual(
      events.events.slice(0, 10).map((e: { count: number }) => String(e.count)),
    )
    const often = await api(`/v1/frequency?to=${today}&weeks=4`)
    expect(
      await page.locator('[data-testid="frequency"] tbody tr td:nth-child(2)').allTextContents(),
    ).toEqual(often.distribution.map((b: { users: number }) => String(b.users)))
    const summary = await api(`/v1/summary?from=${addDays(today, -6)}&to=${today}`)
    expect(await text(page, 'now-activeUsers')).toBe(String(summary.current.activeUsers))
    expect(await page.locator('[data-testid="active-chart"] .pt').count()).toBe(7)
    expect(await page.locator('.controls .presets a[aria-current]').textContent()).toBe('7 days')
  })

  it('exports a quiet list as CSV, the same rows as the API’s CSV', async () => {
    await page.goto(`${server.url}/?quiet=14d`)
    const href = await page.locator('#quiet-users a.export').getAttribute('href')
    expect(href).toBe('/export/inactive.csv?level=user&quiet=14d')
    const res = await page.request.get(`${server.url}${href}`)
    expect(res.headers()['content-type']).toBe('text/csv; charset=utf-8')
    const csv = await res.text()
    expect(csv).toBe(await api('/v1/inactive?level=user&after=14d&limit=1000&format=csv'))
    // The id that is a formula is defused.
    expect(csv).toContain(`\r\n"'=1+2","'@evil",`)
  })

  it("shows a user's year of active days and latest events, as the API does", async () => {
    await page.goto(`${server.url}/users/u_2`)
    const year = await api(`/v1/active?userId=u_2&from=${addDays(today, -364)}&to=${today}`)
    const days = await page.locator('[data-testid="calendar"] rect.day').evaluateAll((els) =>
      els.map((el) => ({
        date: el.getAttribute('data-date'),
        active: Number(el.getAttribute('data-active')),
      })),
    )
    expect(days).toEqual(
      year.series.map((p: { date: string; active: number }) => ({
        date: p.date,
        active: p.active,
      })),
    )
    const activeDays = year.series.filter((p: { active: number }) => p.active > 0).length
    expect(activeDays).toBe(11)
    expect(await text(page, 'calendar-days')).toBe(String(activeDays))
    const events = await api(`/v1/events?userId=u_2&from=${addDays(today, -29)}&to=${today}`)
    const latest = await page
      .locator('[data-testid="latest-events"] tbody tr td:first-child')
      .allTextContents()
    const expected = events.events
      .flatMap((e: { days: { date: string }[] }) => e.days.map((d) => d.date))
      .sort()
      .reverse()
    expect(latest).toEqual(expected)
    expect(await pageWidth(page)).toBeLessThanOrEqual(viewport.width)
    await page.screenshot({ path: `${shots}user-${viewport.name}.png`, fullPage: true })
  })

  it("shows an account's trend and marks its quiet users, as the API does", async () => {
    await page.goto(`${server.url}/accounts/acme?quiet=7d`)
    const trend = await api(`/v1/active?accountId=acme&from=${addDays(today, -89)}&to=${today}`)
    const actives = await page
      .locator('[data-testid="active-chart"] .pt')
      .evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-active'))))
    expect(actives).toEqual(trend.series.map((p: { active: number }) => p.active))
    const account = await api('/v1/accounts/acme')
    const quietBefore = new Date(Date.now() - 7 * 86_400_000).toISOString()
    const quiet = account.users
      .filter((u: { lastSeen: string }) => u.lastSeen < quietBefore)
      .map((u: { userId: string }) => u.userId)
    expect(quiet).toEqual(['u_2'])
    const marked = await page
      .locator('[data-testid="account-users"] tr[data-quiet] td:first-child a')
      .allTextContents()
    expect(marked).toEqual(quiet)
    expect(await text(page, 'quiet-count')).toBe('1')
    expect(await pageWidth(page)).toBeLessThanOrEqual(viewport.width)
    await page.screenshot({ path: `${shots}account-${viewport.name}.png`, fullPage: true })
  })

  it('finds users and accounts by id, e-mail or name, as the API does', async () => {
    await page.goto(server.url)
    const find = async (text: string) => {
      await page.getByLabel('Find a user or account').fill(text)
      await page.getByRole('button', { name: 'Find' }).click()
      await page.locator('main').waitFor()
    }
    await find('globex')
    expect(await text(page, 'account-title')).toBe('Account globex')
    await find('u_5')
    expect(await text(page, 'user-title')).toBe('User u_5')
    // One match, by e-mail: straight to the user.
    await find('DEE@GLOBEX')
    expect(await text(page, 'user-title')).toBe('User u_3')
    // Several: the list, as the read API finds them.
    await find('acme.io')
    const users = await api('/v1/users?search=acme.io')
    const accounts = await api('/v1/accounts?search=acme.io')
    const ids = (testId: string) =>
      page
        .locator(`[data-testid="${testId}"] tbody tr[data-id]`)
        .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')))
    expect(await ids('found-users')).toEqual(users.items.map((i: { userId: string }) => i.userId))
    expect(await ids('found-accounts')).toEqual(
      accounts.items.map((i: { accountId: string }) => i.accountId),
    )
    expect(users.items.map((i: { userId: string }) => i.userId).sort()).toEqual([
      'u_1',
      'u_2',
      'u_7',
    ])
    expect(await page.getByLabel('Find a user or account').inputValue()).toBe('acme.io')
    expect(await pageWidth(page)).toBeLessThanOrEqual(viewport.width)
    await page.screenshot({ path: `${shots}search-${viewport.name}.png`, fullPage: true })
  })

  it("shows who they are: traits on the profiles and in the lists, as the API's", async () => {
    await page.goto(`${server.url}/users/u_7`)
    const user = await api('/v1/users/u_7')
    const shown = await page
      .locator('[data-testid="traits"] div')
      .evaluateAll((divs) =>
        divs.map((d) => [d.querySelector('dt')?.textContent, d.querySelector('dd')?.textContent]),
      )
    expect(shown).toEqual(
      Object.entries(user.traits).map(([k, v]) => [
        k,
        typeof v === 'string' ? v : JSON.stringify(v),
      ]),
    )
    expect(await text(page, 'identity')).toBe('Cy Slow · cy@acme.io')
    await page.goto(`${server.url}/accounts/acme`)
    expect(await text(page, 'identity')).toBe('Acme, Inc · MRR 490')
    const account = await api('/v1/accounts/acme')
    const names = await page
      .locator('[data-testid="account-users"] tbody tr td:nth-child(2)')
      .allTextContents()
    expect(names).toEqual(
      account.users.map((u: { traits: { name?: string } }) => u.traits.name ?? '—'),
    )
    // Slipping shows the e-mail and plan of each user, the MRR of each account.
    await page.goto(server.url)
    const slipping = await api('/v1/declining?level=user&limit=10')
    const row = page.locator('[data-testid="declining-users"] tr[data-id="u_7"] td')
    const cy = slipping.items.find((i: { userId: string }) => i.userId === 'u_7')
    expect(await row.nth(0).locator('a').textContent()).toBe(cy.traits.name)
    expect(await row.nth(1).textContent()).toBe(cy.traits.email)
    expect(await row.nth(2).textContent()).toBe(cy.traits.plan)
    const quiet = await api('/v1/inactive?level=account&limit=25')
    const mrr = await page
      .locator('[data-testid="inactive-accounts"] tbody td[data-label="MRR"]')
      .allTextContents()
    expect(mrr).toEqual(
      quiet.items.map((i: { traits: { mrr?: number } }) =>
        i.traits.mrr === undefined ? '—' : i.traits.mrr.toLocaleString('en-US'),
      ),
    )
    // The account name that is a formula is defused in the CSV export, like its id.
    const csv = await (
      await page.request.get(`${server.url}/export/inactive.csv?level=account`)
    ).text()
    expect(csv).toContain(`"'@evil"`)
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"")"`)
    expect(csv.split('\r\n')[0]).toContain('traits.name')
  })

  it('is never wider than the screen', async () => {
    await page.goto(server.url)
    expect(await pageWidth(page)).toBeLessThanOrEqual(viewport.width)
  })
})

describe('by keyboard, and without JavaScript', () => {
  it('reaches the chart with Tab and walks its days with the arrow keys', async () => {
    const { context, page } = await signedInContext({ width: 1440, height: 900 })
    const points = page.locator('[data-testid="active-chart"] .pt')
    // With the script, the chart is one stop of the Tab key: its latest day.
    expect(await points.evaluateAll((els) => els.filter((e) => e.tabIndex === 0).length)).toBe(1)
    await points.last().focus()
    await page.keyboard.press('ArrowLeft')
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-date'))
    expect(await focused()).toBe(addDays(today, -1))
    expect(await points.nth(28).locator('.tip').isVisible()).toBe(true)
    await page.keyboard.press('Home')
    expect(await focused()).toBe(addDays(today, -29))
    await page.keyboard.press('End')
    expect(await focused()).toBe(today)
    await page.screenshot({ path: `${shots}chart-focus-desktop.png` })
    // Tab order starts with a way past the header, and reaches the chart from the top.
    await page.goto(server.url)
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(
      'Skip to the content',
    )
    expect(await page.locator('a.skip').isVisible()).toBe(true)
    let reached = false
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab')
      reached = (await focused()) === today
    }
    expect(reached).toBe(true)
    await context.close()
  })

  it('works with JavaScript off: every day is a Tab stop, the threshold applies by its button', async () => {
    const { context, page } = await signedInContext({ width: 390, height: 844 }, false)
    const points = page.locator('[data-testid="active-chart"] .pt')
    expect(await points.evaluateAll((els) => els.every((e) => e.tabIndex === 0))).toBe(true)
    await points.nth(3).focus()
    expect(await points.nth(3).locator('.tip').isVisible()).toBe(true)
    await page.locator('select[name="quiet"]').selectOption('30d')
    await page.getByRole('button', { name: 'Show' }).click()
    expect(new URL(page.url()).searchParams.get('quiet')).toBe('30d')
    expect(await page.locator('#gone-quiet').textContent()).toContain('not seen for 30 days')
    await context.close()
  })

  it('keeps dark mode', async () => {
    const { context, page } = await signedInContext({ width: 390, height: 844 }, true, 'dark')
    const colors = await page.evaluate(() => {
      const style = getComputedStyle(document.body)
      return { background: style.backgroundColor, text: style.color }
    })
    expect(colors).toEqual({ background: 'rgb(17, 24, 39)', text: 'rgb(229, 231, 235)' })
    await page.locator('[data-testid="active-chart"] .pt').nth(20).focus()
    await page
      .getByTestId('active-chart')
      .screenshot({ path: `${shots}chart-focus-phone-dark.png` })
    await page.screenshot({ path: `${shots}overview-phone-dark.png`, fullPage: true })
    await context.close()
  })

  it('ran under the pages’ Content-Security-Policy with nothing blocked and no script error', () => {
    expect(problems).toEqual([])
  })
})
