import tar from 'tar-stream'

/** One layer's (or archive's) files: path in the tar -> content. */
export type Files = Record<string, string | Buffer>

/** A tar of `files`, in order, as a layer or a `docker save` archive holds them. */
export async function tarOf(files: Files): Promise<Buffer> {
  const pack = tar.pack()
  const chunks: Buffer[] = []
  const done = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer)
  })()
  for (const [name, content] of Object.entries(files)) {
    await new Promise<void>((resolve, reject) => pack.entry({ name }, content, error => (error ? reject(error) : resolve())))
  }
  pack.finalize()
  await done
  return Buffer.concat(chunks)
}
