import { describe, expect, it } from 'vitest'
import { ConfigError, readConfig } from '../../config.js'

describe('LASTSEEN_POSTHOG_ACCOUNT_GROUP', () => {
  it('is company unless set', () => {
    expect(readConfig({}).posthogAccountGroup).toBe('company')
    expect(readConfig({ LASTSEEN_POSTHOG_ACCOUNT_GROUP: 'organization' }).posthogAccountGroup).toBe(
      'organization',
    )
  })

  it('refuses a value with spaces, naming the variable', () => {
    expect(() => readConfig({ LASTSEEN_POSTHOG_ACCOUNT_GROUP: 'my org' })).toThrow(ConfigError)
    expect(() => readConfig({ LASTSEEN_POSTHOG_ACCOUNT_GROUP: 'my org' })).toThrow(
      /LASTSEEN_POSTHOG_ACCOUNT_GROUP: a PostHog group type/,
    )
  })
})
