// Stripe secret and restricted keys `sk_live_`/`sk_test_`/`rk_live_`/`rk_test_`: https://docs.stripe.com/keys
import { prefixed } from './common.js'
import { draw, type Family } from './types.js'

export const stripe: Family = {
  name: 'Stripe',
  source: 'https://docs.stripe.com/keys',
  rules: [{ id: 'stripe-secret-key', description: 'Stripe secret or restricted API key' }],
  tokens: [
    prefixed({
      rule: 'stripe-secret-key',
      anchors: ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'],
      re: /[sr]k_(?:live|test)_[A-Za-z0-9]{24,247}/y,
      maxLength: 255,
      prefix: 8
    })
  ],
  cases: [
    { rule: 'stripe-secret-key', key: 'STRIPE_SECRET_KEY', make: r => `sk_live_${draw(r, 24)}`, negatives: [`sk_live_${'x'.repeat(24)}`, 'sk_test_...'] },
    { rule: 'stripe-secret-key', key: 'STRIPE_RESTRICTED_KEY', make: r => `rk_live_${draw(r, 99)}`, negatives: ['rk_live_<restricted key>'] }
  ]
}
