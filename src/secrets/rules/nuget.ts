// NuGet feed passwords kept in clear text: `<add key="ClearTextPassword" value="…"/>` in NuGet.config (read by the
// key/value reader) and `dotnet nuget add source … -p <password> --store-password-in-clear-text`.
// https://learn.microsoft.com/en-us/nuget/reference/nuget-config-file#packagesourcecredentials
import { isRealPassword } from './urls.js'
import { draw, lastIndexOfByte, type Family, type Handler } from './types.js'

const PASSWORD_OPTION = /(?:^|\s)(?:-p|--password)[ \t]{1,4}(["']?)([^\s"']{4,256})\1(?=\s)/g

const cliHandler: Handler = (ctx, pos) => {
  const { buf } = ctx
  if (pos < 8 || buf.toString('latin1', pos - 8, pos) !== '--store-') return
  const newline = lastIndexOfByte(buf, 10, pos - 1, Math.max(0, pos - 1024))
  if (newline < 0 && pos > 1024) return
  const lineStart = newline + 1
  const line = buf.toString('latin1', lineStart, pos)
  let m: RegExpExecArray | null
  let last: RegExpExecArray | undefined
  PASSWORD_OPTION.lastIndex = 0
  while ((m = PASSWORD_OPTION.exec(line)) !== null) last = m
  if (last === undefined) return
  const password = last[2] ?? ''
  if (!isRealPassword(password, '')) return
  const start = lineStart + last.index + last[0].length - password.length - (last[1] ?? '').length
  ctx.emit('nuget-cleartext-password', start, start + password.length, password)
}

export const nuget: Family = {
  name: 'NuGet',
  source: 'https://learn.microsoft.com/en-us/nuget/reference/nuget-config-file#packagesourcecredentials',
  rules: [{ id: 'nuget-cleartext-password', description: 'NuGet feed password stored in clear text' }],
  // `--st` is common in text; `pass` is anchored already by the password keyword.
  anchors: [{ text: 'password-in-clear-text', handler: cliHandler, patterns: [PASSWORD_OPTION] }],
  cases: [
    {
      rule: 'nuget-cleartext-password',
      file: 'NuGet.config',
      make: r => `${draw(r, 6)}#${draw(r, 6)}`,
      content: v =>
        `<packageSourceCredentials>\n  <internal>\n    <add key="Username" value="ci" />\n    <add key="ClearTextPassword" value="${v}" />\n  </internal>\n</packageSourceCredentials>`,
      line: 4,
      negatives: ['<add key="ClearTextPassword" value="%NUGET_PASSWORD%" />', '<add key="ClearTextPassword" value="" />']
    },
    {
      rule: 'nuget-cleartext-password',
      file: 'restore.sh',
      make: r => `${draw(r, 6)}_${draw(r, 8)}`,
      content: v => `dotnet nuget add source https://nuget.internal/v3/index.json -n internal -u ci -p ${v} --store-password-in-clear-text`,
      negatives: ['dotnet nuget add source https://nuget.internal/v3/index.json -n internal -u ci -p $NUGET_PASSWORD --store-password-in-clear-text']
    }
  ]
}
