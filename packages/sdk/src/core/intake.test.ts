/**
 * Intake: each event measured in UTF-8 bytes exactly as the protocol counts them.
 */
import { eventBytes, type WireEvent } from '@lastseen/protocol'
import { describe, expect, it } from 'vitest'
import type { Config } from '../config.js'
import { createIntake } from './intake.js'

const id = '0b6c5a1e-2f0e-4d1b-9a77-3c5e8f1d2a40'
const timestamp = '2026-03-02T10:00:00.000Z'
const awkward = [
  'u_1',
  'é',
  '😀',
  '"quoted"',
  'back\\slash',
  'line\nbreak',
  '\u0000\u001f',
  '\ud800',
]

describe('intake', () => {
  it('measures each event in UTF-8 bytes, as the protocol counts them', () => {
    const intake = createIntake({} as Config, () => {})
    for (const text of [...awkward, 'x'.repeat(5000), 'é'.repeat(3000), '😀'.repeat(2000)]) {
      const event: WireEvent = { id, type: 'track', event: 'e', userId: text, timestamp }
      expect(intake(event)?.bytes).toBe(eventBytes(event))
    }
  })
})
