// Every provider family, in the order their rules are listed (SARIF, README). Add a family: write
// rules/<family>.ts (rules, detection, cases) and list it here; the table test and the evaluation pick it up.
import { age } from './age.js'
import { aiProviders } from './ai-providers.js'
import { anthropic } from './anthropic.js'
import { atlassian } from './atlassian.js'
import { aws } from './aws.js'
import { azure } from './azure.js'
import { buildkite } from './buildkite.js'
import { cloudflare } from './cloudflare.js'
import { contentful } from './contentful.js'
import { credentialFiles } from './credential-files.js'
import { databricks } from './databricks.js'
import { datadog } from './datadog.js'
import { digitalocean } from './digitalocean.js'
import { docker } from './docker.js'
import { dockerfile } from './dockerfile.js'
import { doppler } from './doppler.js'
import { dynatrace } from './dynatrace.js'
import { figma } from './figma.js'
import { generic } from './generic.js'
import { github } from './github.js'
import { gitlab } from './gitlab.js'
import { google } from './google.js'
import { grafana } from './grafana.js'
import { harness } from './harness.js'
import { hashicorp } from './hashicorp.js'
import { heroku } from './heroku.js'
import { huggingface } from './huggingface.js'
import { jfrog } from './jfrog.js'
import { jwt } from './jwt.js'
import { linear } from './linear.js'
import { mailgun } from './mailgun.js'
import { mapbox } from './mapbox.js'
import { meraki } from './meraki.js'
import { newrelic } from './newrelic.js'
import { notion } from './notion.js'
import { npm } from './npm.js'
import { onePassword } from './onepassword.js'
import { openai } from './openai.js'
import { planetscale } from './planetscale.js'
import { postman } from './postman.js'
import { privateKeys } from './private-keys.js'
import { pulumi } from './pulumi.js'
import { pypi } from './pypi.js'
import { sendgrid } from './sendgrid.js'
import { sentry } from './sentry.js'
import { settlemint } from './settlemint.js'
import { shopify } from './shopify.js'
import { slack } from './slack.js'
import { snyk } from './snyk.js'
import { sonar } from './sonar.js'
import { square } from './square.js'
import { stripe } from './stripe.js'
import { supabase } from './supabase.js'
import { tailscale } from './tailscale.js'
import { twilio } from './twilio.js'
import { urls } from './urls.js'
import { vercel } from './vercel.js'
import { airtable } from './airtable.js'
import { bundler } from './bundler.js'
import { discord } from './discord.js'
import { dropbox } from './dropbox.js'
import { easypost } from './easypost.js'
import { facebook } from './facebook.js'
import { flyio } from './flyio.js'
import { httpAuth } from './http-auth.js'
import { hubspot } from './hubspot.js'
import { kubernetes } from './kubernetes.js'
import { kucoin } from './kucoin.js'
import { linkedin } from './linkedin.js'
import { messagebird } from './messagebird.js'
import { nuget } from './nuget.js'
import { sendbird } from './sendbird.js'
import { sourcegraph } from './sourcegraph.js'
import { squarespace } from './squarespace.js'
import { telegram } from './telegram.js'
import { twitter } from './twitter.js'
import type { Family } from './types.js'

export const FAMILIES: readonly Family[] = [
  github,
  npm,
  aws,
  slack,
  stripe,
  google,
  pypi,
  gitlab,
  openai,
  anthropic,
  huggingface,
  sendgrid,
  docker,
  twilio,
  azure,
  grafana,
  cloudflare,
  privateKeys,
  jwt,
  age,
  aiProviders,
  atlassian,
  buildkite,
  contentful,
  databricks,
  datadog,
  digitalocean,
  doppler,
  dynatrace,
  figma,
  harness,
  hashicorp,
  heroku,
  jfrog,
  linear,
  mailgun,
  mapbox,
  meraki,
  newrelic,
  notion,
  onePassword,
  planetscale,
  postman,
  pulumi,
  sentry,
  settlemint,
  shopify,
  snyk,
  sonar,
  square,
  supabase,
  tailscale,
  vercel,
  airtable,
  discord,
  dropbox,
  easypost,
  facebook,
  flyio,
  hubspot,
  kucoin,
  linkedin,
  messagebird,
  sendbird,
  sourcegraph,
  squarespace,
  telegram,
  twitter,
  nuget,
  bundler,
  kubernetes,
  httpAuth,
  credentialFiles,
  urls,
  dockerfile,
  generic
]
