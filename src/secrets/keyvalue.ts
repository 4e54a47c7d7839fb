// The key/value reader: runs at secret-named key words (`password`, `token`, `api_key`, …) and reads the value
// assigned to the key in the syntaxes configuration and code use:
//   KEY=value, key: value, "key": "value", key = 'value', key := "v" (Go), var key string = "v" (Go),
//   const key: string = "v" (TS), $key .= "v" (PHP), KEY ::= v / :::= / ?= / += (make), setProperty("KEY", "v"),
//   "KEY=value" inside a string (JSON arrays, exec-form commands), <key>value</key> across lines (XML),
//   <add key="ApiKey" value="v"/> (.NET), key: >- / | blocks (YAML), ENV['KEY'] ||= 'v' (Ruby),
//   `- name: KEY` + `value: v` (Kubernetes env, ECS task definitions), and `\nKEY=value` inside a JSON string (the
//   escaped lines of a config embedded in one value).
// Then: provider-named keys with their value shape (KeyedSpec), connection strings, .env files, and the generic
// rule (a random-looking value under a secret-named key). Every scan is bounded (the value at most 512 bytes,
// the key 128), so the work per anchor is bounded.

import { bundlerPassword } from './rules/bundler.js'
import { isRealPassword } from './rules/urls.js'
import { isEscapedBreak, type DetectContext, type Handler, type KeyedSpec, type RuleId } from './rules/types.js'
import { isKeyShaped, isPlaceholder, isPublicByDesign, isUuid, looksRandomSecret } from './values.js'

/** Keyword rules skip lines longer than this: minified code, not configuration. */
const LONG_LINE = 1024

const KEYCHAR = (() => {
  const t = new Uint8Array(256)
  for (const c of '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_.-') t[c.charCodeAt(0)] = 1
  return t
})()
const BARE_STOP = (() => {
  const t = new Uint8Array(256)
  for (const c of ' \t\r\n,;\'"`)}]<>#\\') t[c.charCodeAt(0)] = 1
  return t
})()

const SECRET_KEY = /(?:password|passwd|passphrase|secret|secretkey|token|apikey|apisecret|accesskey|privatekey|authkey|credential|credentials)$/
const NOT_SECRET_KEY =
  /(?:public|example|sample|dummy|fake|mock|(?:page|next|continuation|cancel|cancellation|csrf|xsrf|sync|resume|last|first|prev|previous|start|end|refresh)token$)/
/** Key names no one gives to anything but a credential: a provider or purpose word before the secret word. */
const UNMISTAKABLE =
  /(?:apikey|apitoken|apisecret|accesstoken|authtoken|secretkey|clientsecret|privatekey|accesskey|secrettoken|servicetoken|licensekey|deploytoken|bottoken|webhooksecret|signingsecret|encryptionkey|masterkey)$/
const CONNECTION_KEYS = /(?:^|[;"'\s])(?:server|data source|host|user id|uid|database|initial catalog|address)[ \t]{0,4}=/i
/** A type word between a key and `=`: `string`, `String?`, `[]byte`, Rust's `&str`. */
const IDENT = /^&?[A-Za-z_][A-Za-z0-9_.*[\]<>|?]{0,40}$/

interface Value {
  vs: number
  ve: number
  /** A literal (quoted, XML text, YAML block): in code files only literals count. */
  quoted: boolean
  /** The operator, for connection-string judgement (`=`, `:`). */
  op: number
}

/** The provider rule a value names: by its prefix (`ghp_…` under a secret-named key), or by its whole shape. */
export interface ValueNamer {
  byPrefix(value: string): RuleId | undefined
  /** A shape with no anchor of its own (Family.named): a finding under a secret-named key whatever its entropy. */
  byShape(value: string): RuleId | undefined
}

export function keyValueHandler(anchorLength: number, keyed: readonly KeyedSpec[], nameOf: ValueNamer): Handler {
  return (ctx, pos) => {
    const { buf, end } = ctx
    let ks = pos
    const minKs = Math.max(0, pos - 64)
    while (ks > minKs && KEYCHAR[buf[ks - 1]!] === 1 && !isEscapedBreak(buf, ks - 1)) ks--
    if (ks === minKs && ks > 0 && KEYCHAR[buf[ks - 1]!] === 1) return
    if (ks === ctx.lastKeyStart) return
    let ke = pos + anchorLength
    const maxKe = Math.min(end, pos + 128)
    while (ke < maxKe && KEYCHAR[buf[ke]!] === 1) ke++
    if (ke >= maxKe) return
    ctx.lastKeyStart = ks
    if (inFormField(buf, ks)) return
    const found = namedValue(buf, ks, ke, end) ?? readValue(buf, ks, ke, end)
    if (found === undefined) return
    // Inside a JSON string, `\nKEY=value` is a literal even in a code file.
    if (ks > 1 && isEscapedBreak(buf, ks - 1)) found.quoted = true
    judge(ctx, ks, ke, found, keyed, nameOf)
  }
}

/**
 * `<input type="hidden" name="authenticity_token" value="…">`: a form field rendered into a page (a CSRF token, a
 * form id) was a per-session value when the page was saved, not a credential of this image.
 */
function inFormField(buf: Buffer, ks: number): boolean {
  if (ks < 7 || (buf[ks - 1] !== 34 && buf[ks - 1] !== 39) || buf.toString('latin1', ks - 6, ks - 1).toLowerCase() !== 'name=') return false
  const from = Math.max(0, ks - 256)
  const at = buf.subarray(from, ks).lastIndexOf(60)
  const tag = from + at
  return at >= 0 && buf.subarray(tag, ks).indexOf(62) < 0 && /^<input\b/i.test(buf.toString('latin1', tag, tag + 7))
}

/** `- name: API_TOKEN` then `value: …` (Kubernetes env), `"name": "API_TOKEN", "value": "…"` (ECS, Compose). */
function namedValue(buf: Buffer, ks: number, ke: number, end: number): Value | undefined {
  // Byte by byte, back from the key: an optional quote, blanks, `:` or `=`, blanks, a quote, then `name`.
  let j = ks - 1
  if (buf[j] === 34 || buf[j] === 39) j--
  while (j > ks - 6 && (buf[j] === 32 || buf[j] === 9)) j--
  if (buf[j] !== 58 && buf[j] !== 61) return undefined
  j--
  if (buf[j] === 34 || buf[j] === 39) j--
  if (j < 3 || buf[j] !== 101 || buf[j - 1] !== 109 || buf[j - 2] !== 97 || buf[j - 3] !== 110) return undefined
  let i = ke
  if (buf[i] === 34 || buf[i] === 39) i++
  const m = /^[ \t]{0,4},?[ \t]{0,4}\r?\n?[ \t]{0,40}["']?value["']?[ \t]{0,4}:[ \t]{0,4}/.exec(buf.toString('latin1', i, Math.min(end, i + 96)))
  if (m === null) return undefined
  const vs = i + m[0].length
  const q = buf[vs]
  if (q === 34 || q === 39) return quotedValue(buf, vs + 1, end, q, 58)
  let ve = vs
  const lim = Math.min(end, vs + 512)
  while (ve < lim && BARE_STOP[buf[ve]!] !== 1) ve++
  return { vs, ve, quoted: true, op: 58 }
}

function readValue(buf: Buffer, ks: number, ke: number, end: number): Value | undefined {
  const open = ks > 0 ? buf[ks - 1]! : 10
  let i = ke
  let op: number
  if (open === 34 || open === 39 || open === 96) {
    if (buf[i] === 61 && buf[i + 1] !== 61) {
      // "X_TOKEN=value" inside a string: the value ends at the closing quote.
      return quotedValue(buf, i + 1, end, open, 61)
    }
    if (buf[i] === 32 || buf[i] === 9) {
      // "KEY = \"value\"": a line of code held in a string (a notebook cell); read on as an unquoted key.
    } else if (buf[i] !== open) return undefined
    else i++
    if (buf[i] === 93) i++ // env["KEY"] = …
    i = skipBlanks(buf, i, end)
    if (buf[i] === 44) {
      // setProperty("KEY", "value"), setdefault("KEY", "value"), put("key", "value")
      i = skipBlanks(buf, i + 1, end)
      const q = buf[i]
      return q === 34 || q === 39 || q === 96 ? quotedValue(buf, i + 1, end, q, 44) : undefined
    }
    if (buf.toString('latin1', i, i + 5) === 'value') {
      // <add key="ApiKey" value="…"/>
      i = skipBlanks(buf, i + 5, end)
      if (buf[i] !== 61) return undefined
      i = skipBlanks(buf, i + 1, end)
      const q = buf[i]
      return q === 34 || q === 39 ? quotedValue(buf, i + 1, end, q, 61) : undefined
    }
  } else if (open === 60) {
    // <token>value</token>, the value possibly on its own line
    if (buf[i] !== 62) return undefined
    return xmlText(buf, i + 1, end)
  }
  i = skipBlanks(buf, i, end)
  op = buf[i]!
  if (op === 61) {
    if (buf[i + 1] === 61) return undefined
    i += buf[i + 1] === 62 ? 2 : 1
  } else if (op === 58) {
    if (buf[i + 1] === 58) {
      // make's `::=` and `:::=`; C++/PHP `Class::token` is no assignment
      if (buf[i + 2] === 61) i += 3
      else if (buf[i + 2] === 58 && buf[i + 3] === 61) i += 4
      else return undefined
      op = 61
    } else {
      i += buf[i + 1] === 61 ? 2 : 1
    }
  } else if ((op === 63 || op === 43 || op === 46) && buf[i + 1] === 61) {
    // ?= (make), += (make, shell arrays), .= (PHP)
    i += 2
    op = 61
  } else if (op === 124 && buf[i + 1] === 124 && buf[i + 2] === 61) {
    // ||= (Ruby)
    i += 3
    op = 61
  } else {
    // Go: `var apiToken string = "…"`: one type word between the key and `=`
    const typed = typeWordThenEquals(buf, i, end)
    if (typed === undefined) return undefined
    i = typed
    op = 61
  }
  i = skipBlanks(buf, i, end)
  if (op === 58) {
    // TypeScript/Kotlin: `apiToken: string = "…"`
    const typed = typeWordThenEquals(buf, i, end)
    if (typed !== undefined) {
      i = skipBlanks(buf, typed, end)
      op = 61
    }
  }
  const q = buf[i]
  if (q === 34 || q === 39 || q === 96) return quotedValue(buf, i + 1, end, q, op)
  // KEY = \"value\" inside a JSON string (a notebook cell's source, an escaped command)
  if (q === 92 && (buf[i + 1] === 34 || buf[i + 1] === 39)) return escapedQuotedValue(buf, i + 2, end, buf[i + 1]!, op)
  if (op === 58 && (q === 124 || q === 62)) return yamlBlock(buf, i + 1, end)
  const vs = i
  let ve = vs
  const lim = Math.min(end, vs + 512)
  while (ve < lim && BARE_STOP[buf[ve]!] !== 1) ve++
  return { vs, ve, quoted: false, op }
}

/** `i` is at a type word: returns the index after `=` when the word is followed by blanks and a single `=`. */
function typeWordThenEquals(buf: Buffer, i: number, end: number): number | undefined {
  let j = i
  const lim = Math.min(end, i + 41)
  while (j < lim && buf[j] !== 32 && buf[j] !== 9 && buf[j] !== 61 && buf[j] !== 10) j++
  if (j === i || !IDENT.test(buf.toString('latin1', i, j))) return undefined
  j = skipBlanks(buf, j, end)
  if (buf[j] !== 61 || buf[j + 1] === 61) return undefined
  return j + 1
}

function quotedValue(buf: Buffer, vs: number, end: number, q: number, op: number): Value | undefined {
  let ve = vs
  const lim = Math.min(end, vs + 512)
  while (ve < lim && buf[ve] !== q && buf[ve] !== 10) ve += buf[ve] === 92 ? 2 : 1
  if (buf[ve] !== q) return undefined
  return { vs, ve, quoted: true, op }
}

/** A value between `\"` and `\"`: the string literal of a line held inside a JSON string. */
function escapedQuotedValue(buf: Buffer, vs: number, end: number, q: number, op: number): Value | undefined {
  let ve = vs
  const lim = Math.min(end, vs + 512)
  while (ve < lim && !(buf[ve] === 92 && buf[ve + 1] === q) && buf[ve] !== 10 && buf[ve] !== q) ve++
  if (buf[ve] !== 92) return undefined
  return { vs, ve, quoted: true, op }
}

/** XML element text: blanks and line breaks around it are not part of it; `</` must follow. */
function xmlText(buf: Buffer, from: number, end: number): Value | undefined {
  let vs = from
  const lim = Math.min(end, from + 256)
  while (vs < lim && (buf[vs] === 32 || buf[vs] === 9 || buf[vs] === 10 || buf[vs] === 13)) vs++
  let ve = vs
  const vlim = Math.min(end, vs + 512)
  while (ve < vlim && buf[ve] !== 60 && buf[ve] !== 10 && buf[ve] !== 13) ve++
  let after = ve
  while (after < vlim && (buf[after] === 32 || buf[after] === 9 || buf[after] === 10 || buf[after] === 13)) after++
  if (buf[after] !== 60 || buf[after + 1] !== 47) return undefined
  while (ve > vs && (buf[ve - 1] === 32 || buf[ve - 1] === 9)) ve--
  return { vs, ve, quoted: true, op: 61 }
}

/** YAML `key: >-` or `key: |`: the value is the next line, indented. */
function yamlBlock(buf: Buffer, from: number, end: number): Value | undefined {
  let i = from
  const lim = Math.min(end, from + 8)
  while (i < lim && (buf[i] === 45 || buf[i] === 43 || (buf[i]! >= 48 && buf[i]! <= 57))) i++
  i = skipBlanks(buf, i, end)
  if (buf[i] === 13) i++
  if (buf[i] !== 10) return undefined
  i++
  const vs0 = i
  i = skipBlanks(buf, i, end)
  if (i === vs0) return undefined
  let ve = i
  const vlim = Math.min(end, i + 512)
  while (ve < vlim && buf[ve] !== 10 && buf[ve] !== 13) ve++
  while (ve > i && (buf[ve - 1] === 32 || buf[ve - 1] === 9)) ve--
  return { vs: i, ve, quoted: true, op: 58 }
}

function judge(ctx: DetectContext, ks: number, ke: number, found: Value, keyed: readonly KeyedSpec[], nameOf: ValueNamer): void {
  const { buf, end } = ctx
  let { vs } = found
  const { ve, quoted, op } = found
  if (ve - vs < 4) return
  // Minified code and data blobs have long lines; configuration does not. (Bounded native searches: a long
  // line full of keywords must not cost a kilobyte of JavaScript per keyword.)
  const before = buf.subarray(Math.max(0, ks - LONG_LINE), ks).lastIndexOf(10)
  if (before < 0 && ks > LONG_LINE) return
  const lineStart = before < 0 ? -1 : Math.max(0, ks - LONG_LINE) + before
  const after = buf.subarray(ve, Math.min(end, ve + LONG_LINE)).indexOf(10)
  if (after < 0 && ve + LONG_LINE < end) return
  const lineEnd = after < 0 ? -1 : ve + after

  const keyText = buf.toString('latin1', ks, ke)
  const key = keyText
    .slice(keyText.lastIndexOf('.') + 1)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
  const fullKey = keyText.toLowerCase().replace(/[^a-z0-9]/g, '')
  let value = buf.toString('latin1', vs, ve)

  if ((key === 'password' || key === 'pwd') && op === 61) {
    const prev = ks > 0 ? buf[ks - 1]! : 10
    const line = buf.toString('latin1', Math.max(0, lineStart + 1), lineEnd < 0 ? end : lineEnd)
    // `Server=…;Password=…` read as one quoted value from its first key: the password ends at `;`.
    if (quoted && (prev === 34 || prev === 39) && value.includes(';')) value = value.slice(0, value.indexOf(';'))
    const connection =
      ((prev === 38 || prev === 63 || prev === 59) && /(?:\w:\/\/|jdbc:)/.test(line)) ||
      (line.includes(';') && CONNECTION_KEYS.test(line)) ||
      // libpq: `host=db port=5432 dbname=app user=app password=…`
      (prev === 32 && /(?:^|["'\s])host=\S/.test(line) && /\s(?:user|dbname)=\S/.test(line))
    if (connection) {
      if (isRealPassword(value, '')) ctx.emit('connection-string-password', vs, vs + value.length, value)
      return
    }
  }
  if (fullKey.startsWith('bundle') && /^bundle_.{0,120}__/i.test(keyText)) {
    const password = bundlerPassword(keyText, value)
    if (password !== undefined) ctx.emit('bundler-credentials', ve - password.length, ve, password)
    return
  }
  if (key === 'cleartextpassword') {
    // NuGet.config keeps feed passwords under ClearTextPassword, any shape: a person's password or a token.
    if (isRealPassword(value, '')) ctx.emit(nameOf.byPrefix(value) ?? 'nuget-cleartext-password', vs, ve, value)
    return
  }
  if (ctx.codeFile && !quoted) return
  if (isPublicByDesign(value)) return
  for (const spec of keyed) {
    if (spec.key.test(fullKey) && spec.value.test(value) && (spec.validate === undefined || spec.validate(value))) {
      ctx.emit(spec.rule, vs, ve, value)
      return
    }
  }
  if (!SECRET_KEY.test(key) || NOT_SECRET_KEY.test(key)) return
  // `O_AUTH2_CLIENT_CREDENTIAL = "OAuth2ClientCredential"`: an enum spelling its own name.
  if (value.toLowerCase().replace(/[^a-z0-9]/g, '') === fullKey) return
  const unmistakable = UNMISTAKABLE.test(key)
  if (ctx.dotenv) {
    if (value.length >= 8 && !isPlaceholder(value) && (!isUuidOrNumber(value) || (unmistakable && isKeyShaped(value)))) {
      ctx.emit(nameOf.byShape(value) ?? nameOf.byPrefix(value) ?? 'dotenv-secret', vs, ve, value)
    }
    return
  }
  // `Authorization`-style values: judge the credential, not the scheme word.
  const scheme = /^(?:bearer|basic|token) /i.exec(value)
  if (scheme !== null) {
    vs += scheme[0].length
    value = value.slice(scheme[0].length)
  }
  const shaped = nameOf.byShape(value)
  if (shaped !== undefined) ctx.emit(shaped, vs, ve, value)
  else if (looksRandomSecret(value) || (unmistakable && isKeyShaped(value))) ctx.emit(nameOf.byPrefix(value) ?? 'generic-secret', vs, ve, value)
}

function isUuidOrNumber(value: string): boolean {
  return isUuid(value) || /^[0-9.]{1,20}$/.test(value) || /^(?:true|false|yes|no|on|off)$/i.test(value)
}

function skipBlanks(buf: Buffer, from: number, end: number): number {
  let i = from
  const lim = Math.min(end, from + 16)
  while (i < lim && (buf[i] === 32 || buf[i] === 9)) i++
  return i
}

export const KEYWORDS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'api_key',
  'apikey',
  'api-key',
  'access_key',
  'accesskey',
  'private_key',
  'privatekey',
  'credential',
  'pwd='
]
