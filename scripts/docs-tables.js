// README's Inputs and Outputs tables, generated from action.yml (the one place they are written):
//   node scripts/docs-tables.js           rewrite the tables between their markers in README.md
//   node scripts/docs-tables.js --check   exit 1 when README.md differs from what action.yml gives (CI)
// A default the runner cannot express in action.yml (computed at run time) is written in the description as its
// first sentence, "Defaults to X.", and shown in the default column.
import { readFileSync, writeFileSync } from 'node:fs'
import { parse } from 'yaml'

const README = 'README.md'
const action = parse(readFileSync('action.yml', 'utf8'))

const oneLine = text =>
  String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim()
const cell = text => oneLine(text).replace(/\|/g, '\\|')
const code = text => (text.startsWith('`') ? text : `\`${text}\``)

function inputRow([name, input]) {
  let meaning = oneLine(input.description)
  let shown = input.default !== undefined ? code(String(input.default)) : ''
  const computed = /^Defaults to (\S+?)\.(?:\s+|$)/.exec(meaning)
  if (computed) {
    shown = code(computed[1])
    meaning = meaning.slice(computed[0].length)
  }
  if (input.required) shown = '(required)'
  return `| \`${name}\` | ${cell(shown)} | ${cell(meaning)} |`
}

const tables = {
  inputs: ['| name | default | meaning |', '|---|---|---|', ...Object.entries(action.inputs ?? {}).map(inputRow)],
  outputs: ['| name | meaning |', '|---|---|', ...Object.entries(action.outputs ?? {}).map(([name, output]) => `| \`${name}\` | ${cell(output.description)} |`)]
}

let readme = readFileSync(README, 'utf8')
const expected = Object.entries(tables).reduce((text, [name, rows]) => {
  const start = `<!-- ${name} table: generated from action.yml by scripts/docs-tables.js -->`
  const end = `<!-- end of ${name} table -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) throw new Error(`${README} has no ${name} table markers: put "${start}" and "${end}" around the table.`)
  return `${text.slice(0, from + start.length)}\n${rows.join('\n')}\n${text.slice(to)}`
}, readme)

if (process.argv.includes('--check')) {
  if (expected !== readme) {
    console.error(`${README}'s input/output tables differ from action.yml: run 'node scripts/docs-tables.js' and commit README.md.`)
    process.exit(1)
  }
  console.log(`${README}'s input/output tables match action.yml.`)
} else if (expected !== readme) {
  writeFileSync(README, expected)
  console.log(`${README}: input/output tables rewritten from action.yml.`)
}
