// Bundler gem-source credentials: `BUNDLE_<HOST>=user:password` (the host upper-cased, `.` as `__`, `-` as `___`),
// in the environment or .bundle/config, and `bundle config [set] <host> user:password`; Sidekiq Pro and Enterprise
// ship this way (gems.contribsys.com). https://bundler.io/man/bundle-config.1.html#CREDENTIALS-FOR-GEM-SOURCES
import { isRealPassword } from './urls.js'
import { HEX_CHARS, draw, type Family, type Handler } from './types.js'

/** Bundler settings whose `__` names a gem or a mirror, not a credential. */
const NOT_CREDENTIAL = /^BUNDLE_(?:BUILD|MIRROR|LOCAL|GEM|SSL|TIMEOUT|RETRY)__(?!_)/i

/** `BUNDLE_GEMS__CONTRIBSYS__COM` = `user:password`: the value's password part, when it is a real one. */
export function bundlerPassword(key: string, value: string): string | undefined {
  if (!/^BUNDLE_[A-Z0-9_]{1,120}__[A-Z0-9_]{2,60}$/i.test(key) || NOT_CREDENTIAL.test(key)) return undefined
  const colon = value.indexOf(':')
  if (colon <= 0 || colon > 64) return undefined
  const password = value.slice(colon + 1)
  return isRealPassword(password, value.slice(0, colon)) || /^[0-9a-f]{8}$/.test(password) ? password : undefined
}

const CONFIG =
  /bundle[ \t]{1,4}config(?:[ \t]{1,4}set)?(?:[ \t]{1,4}--(?:global|local))?[ \t]{1,4}([A-Za-z0-9.-]{1,120}\.[A-Za-z]{2,24})[ \t]{1,4}["']?([^\s:"']{1,64}):([^\s"']{4,256})/y

/** At `undle config` (`bund` is a letter pair common in text): the command starts one byte earlier. */
const configHandler: Handler = (ctx, at) => {
  const { buf, end } = ctx
  const pos = at - 1
  if (pos < 0 || buf[pos] !== 98) return
  const text = buf.toString('latin1', pos, Math.min(end, pos + 520))
  CONFIG.lastIndex = 0
  const m = CONFIG.exec(text)
  if (m === null) return
  const [whole, , user = '', password = ''] = m
  if (!isRealPassword(password, user) && !/^[0-9a-f]{8}$/.test(password)) return
  const stop = pos + whole.length
  ctx.emit('bundler-credentials', stop - password.length, stop, password)
}

export const bundler: Family = {
  name: 'Bundler',
  source: 'https://bundler.io/man/bundle-config.1.html#CREDENTIALS-FOR-GEM-SOURCES',
  rules: [{ id: 'bundler-credentials', description: 'Bundler gem source credentials (BUNDLE_<HOST>=user:password)', rank: 2 }],
  keywords: ['BUNDLE_'],
  anchors: [{ text: 'undle config', handler: configHandler, patterns: [CONFIG] }],
  cases: [
    {
      rule: 'bundler-credentials',
      file: '.env',
      make: r => draw(r, 8, HEX_CHARS),
      content: v => `BUNDLE_GEMS__CONTRIBSYS__COM=a1b2c3d4:${v}`,
      negatives: ['BUNDLE_GEMS__CONTRIBSYS__COM=${SIDEKIQ_CREDENTIALS}', 'BUNDLE_BUILD__NOKOGIRI=--use-system-libraries', 'BUNDLE_PATH=vendor/bundle']
    },
    {
      rule: 'bundler-credentials',
      file: 'setup.sh',
      make: r => draw(r, 8, HEX_CHARS),
      content: v => `bundle config set --global gems.contribsys.com 9f8e7d6c:${v}`,
      negatives: ['bundle config set --global gems.contribsys.com $SIDEKIQ_USER:$SIDEKIQ_PASS']
    }
  ]
}
