// Validators behind deploy/validate.sh. Copied next to its node_modules (deploy/.tools/node) and run
// there, so bare imports resolve to the pinned packages of deploy/tools/package.json.
//
//   node check.mjs k8s <kustomization-dir>...     every resource file of each kustomization, then the
//                                                 rendered set (images + JSON6902 patches applied)
//   node check.mjs compose <compose-spec.json> <compose.yaml>
//   node check.mjs dockerfile <Dockerfile>...     policy checks (the syntax linter runs separately)
//
// Output, one line per check: "PASS\t<file>\t<check>" or "FAIL\t<file>\t<check>: <why>".
// Exit status 1 when anything failed.
import { readFileSync, existsSync, statSync, readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import YAML from "yaml";

let failed = false;
const pass = (file, check) => console.log(`PASS\t${file}\t${check}`);
const fail = (file, check, why) => {
  failed = true;
  console.log(`FAIL\t${file}\t${check}: ${String(why).replace(/\s*\n\s*/g, " | ")}`);
};
const report = (file, check, errors) =>
  errors.length === 0 ? pass(file, check) : errors.forEach((e) => fail(file, check, e));

/** All YAML documents of a file; merge keys (<<) on, as Compose and kubectl accept them. */
function loadDocs(file) {
  const docs = YAML.parseAllDocuments(readFileSync(file, "utf8"), { merge: true });
  const errors = docs.flatMap((d) => d.errors.map((e) => e.message));
  if (errors.length) throw new Error(errors.join("; "));
  return docs.map((d) => d.toJS()).filter((o) => o !== null && o !== undefined);
}

const id = (o) => `${o?.kind ?? "?"}/${o?.metadata?.name ?? "?"}`;

// ---- Kubernetes: schema (kubernetes-models = official OpenAPI schemas compiled to validators) ----

/** Types, formats, enums and required fields of the official Kubernetes OpenAPI schema. */
async function schemaErrors(obj) {
  if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") {
    return ["apiVersion and kind must be strings"];
  }
  const crd = CUSTOM_RESOURCES[`${obj.apiVersion} ${obj.kind}`];
  if (crd) return crd(obj);
  const modulePath = `kubernetes-models/${obj.apiVersion}`; // "v1" or "<group>/<version>"
  let models;
  try {
    models = await import(modulePath);
  } catch {
    return [`unknown apiVersion '${obj.apiVersion}'`];
  }
  const Model = models[obj.kind];
  if (typeof Model !== "function") return [`unknown kind '${obj.kind}' in ${obj.apiVersion}`];
  try {
    new Model(obj).validate();
    return [];
  } catch (e) {
    return [String(e.message ?? e)];
  }
}

// ---- Kubernetes: strict fields (the schemas allow unknown keys; the API server drops them) ----

const clientModels = await import("@kubernetes/client-node/dist/gen/models/ObjectSerializer.js");

/** Generated model class name of the official API types, e.g. apps/v1 StatefulSet -> V1StatefulSet. */
function modelName(apiVersion, kind) {
  const version = apiVersion.split("/").pop();
  return version.charAt(0).toUpperCase() + version.slice(1) + kind;
}

/** Every key must be a field of the official type at that place (typos such as `imagePullPolize`). */
function unknownFields(value, type, at, errors) {
  if (value === null || value === undefined) return;
  let m;
  if ((m = /^Array<(.+)>$/.exec(type))) {
    if (!Array.isArray(value)) return void errors.push(`${at}: must be a list`);
    value.forEach((v, i) => unknownFields(v, m[1], `${at}[${i}]`, errors));
    return;
  }
  if ((m = /^\{ \[key: string\]: (.+); \}$/.exec(type))) {
    if (typeof value !== "object" || Array.isArray(value)) return void errors.push(`${at}: must be a map`);
    for (const [k, v] of Object.entries(value)) unknownFields(v, m[1], `${at}.${k}`, errors);
    return;
  }
  const Model = clientModels[type];
  if (typeof Model?.getAttributeTypeMap !== "function") return; // primitive, IntOrString, any
  if (typeof value !== "object" || Array.isArray(value)) return void errors.push(`${at}: must be an object (${type})`);
  const fields = new Map(Model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    if (!fields.has(k)) errors.push(`${at}.${k}: unknown field (not in ${type})`);
    else unknownFields(v, fields.get(k), `${at}.${k}`, errors);
  }
}

function strictErrors(obj) {
  if (CUSTOM_RESOURCES[`${obj.apiVersion} ${obj.kind}`]) return []; // its schema above is strict already
  const type = modelName(obj.apiVersion, obj.kind);
  if (!clientModels[type]) return [`no official model ${type} for ${obj.apiVersion} ${obj.kind}`];
  const errors = [];
  unknownFields(obj, type, id(obj), errors);
  return errors;
}

// ---- Custom resources: KEDA's ScaledObject (not in the Kubernetes schemas) ----

/** ajv with formats, for the hand-written schemas below. */
async function newAjv() {
  const { default: Ajv } = await import("ajv");
  const { default: addFormats } = await import("ajv-formats");
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv;
}

const ajvErrors = (validate, data, at) =>
  validate(data) ? [] : validate.errors.map((e) => `${at}${e.instancePath} ${e.message}${e.params?.additionalProperty ? ` '${e.params.additionalProperty}'` : ""}`);

const str = { type: "string", minLength: 1 };
const closed = (properties, required = []) => ({ type: "object", properties, required, additionalProperties: false });

/**
 * keda.sh/v1alpha1 ScaledObject, the fields of KEDA 2.x's CRD this project may use, closed to typos;
 * its HPA behavior is checked against the official autoscaling/v2 schema (as KEDA passes it on).
 */
const SCALED_OBJECT = closed({
  apiVersion: { const: "keda.sh/v1alpha1" },
  kind: { const: "ScaledObject" },
  metadata: closed({ name: str, namespace: str, labels: { type: "object", additionalProperties: { type: "string" } },
    annotations: { type: "object", additionalProperties: { type: "string" } } }, ["name"]),
  spec: closed({
    scaleTargetRef: closed({ apiVersion: str, kind: str, name: str, envSourceContainerName: str }, ["name"]),
    pollingInterval: { type: "integer", minimum: 1 },
    cooldownPeriod: { type: "integer", minimum: 0 },
    initialCooldownPeriod: { type: "integer", minimum: 0 },
    idleReplicaCount: { type: "integer", minimum: 0 },
    minReplicaCount: { type: "integer", minimum: 0 },
    maxReplicaCount: { type: "integer", minimum: 1 },
    fallback: closed({ failureThreshold: { type: "integer", minimum: 1 }, replicas: { type: "integer", minimum: 0 } },
      ["failureThreshold", "replicas"]),
    advanced: closed({
      restoreToOriginalReplicaCount: { type: "boolean" },
      horizontalPodAutoscalerConfig: closed({ name: str, behavior: { type: "object" } }),
    }),
    triggers: {
      type: "array", minItems: 1,
      items: closed({
        type: { enum: ["prometheus", "cpu", "memory", "cron", "external"] },
        name: str,
        metricType: { enum: ["AverageValue", "Value", "Utilization"] },
        useCachedMetrics: { type: "boolean" },
        authenticationRef: closed({ name: str, kind: { enum: ["TriggerAuthentication", "ClusterTriggerAuthentication"] } }, ["name"]),
        metadata: { type: "object", additionalProperties: { type: "string" } },
      }, ["type", "metadata"]),
    },
  }, ["scaleTargetRef", "triggers"]),
}, ["apiVersion", "kind", "metadata", "spec"]);

/** The prometheus scaler's metadata (KEDA docs, Scalers: Prometheus): every value is a string. */
const PROMETHEUS_TRIGGER = closed({
  serverAddress: { type: "string", format: "uri", pattern: "^https?://" },
  query: str,
  threshold: { type: "string", pattern: "^[0-9]+(\\.[0-9]+)?$" },
  activationThreshold: { type: "string", pattern: "^[0-9]+(\\.[0-9]+)?$" },
  namespace: str,
  ignoreNullValues: { enum: ["true", "false"] },
  unsafeSsl: { enum: ["true", "false"] },
  customHeaders: str,
  queryParameters: str,
}, ["serverAddress", "query", "threshold"]);

async function scaledObjectErrors(obj) {
  const ajv = await newAjv();
  const at = id(obj);
  const errors = ajvErrors(ajv.compile(SCALED_OBJECT), obj, at);
  if (errors.length) return errors;
  const prometheus = ajv.compile(PROMETHEUS_TRIGGER);
  obj.spec.triggers.forEach((t, i) => {
    if (t.type === "prometheus") errors.push(...ajvErrors(prometheus, t.metadata, `${at} triggers[${i}].metadata`));
  });
  const { minReplicaCount: min = 0, maxReplicaCount: max = 100 } = obj.spec;
  if (min > max) errors.push(`${at}: minReplicaCount ${min} > maxReplicaCount ${max}`);
  const behavior = obj.spec.advanced?.horizontalPodAutoscalerConfig?.behavior;
  if (behavior) {
    // The HPA KEDA will create, with this behavior: the official schema and strict fields apply.
    const hpa = { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: obj.metadata.name },
      spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", ...obj.spec.scaleTargetRef }, minReplicas: Math.max(1, min),
        maxReplicas: max, behavior } };
    const { HorizontalPodAutoscaler } = await import("kubernetes-models/autoscaling/v2");
    try { new HorizontalPodAutoscaler(hpa).validate(); } catch (e) { errors.push(`${at} behavior: ${e.message ?? e}`); }
    const strict = [];
    unknownFields(behavior, "V2HorizontalPodAutoscalerBehavior", `${at} behavior`, strict);
    errors.push(...strict);
  }
  return errors;
}

const CUSTOM_RESOURCES = { "keda.sh/v1alpha1 ScaledObject": scaledObjectErrors };

// ---- The Prometheus Adapter's rules (a ConfigMap named adapter-config, key config.yaml) ----

const ADAPTER_RULE = closed({
  seriesQuery: str,
  seriesFilters: { type: "array", items: closed({ is: str, isNot: str }) },
  resources: closed({
    overrides: { type: "object", additionalProperties: closed({ resource: str, group: str }, ["resource"]) },
    template: str,
    namespaced: { type: "boolean" },
  }),
  name: closed({ matches: str, as: str }, ["matches"]),
  metricsQuery: { type: "string", pattern: "<<\\.Series>>" },
}, ["seriesQuery", "resources", "name", "metricsQuery"]);

const ADAPTER_CONFIG = closed({
  rules: { type: "array", items: ADAPTER_RULE },
  externalRules: { type: "array", items: ADAPTER_RULE },
  resourceRules: { type: "object" },
});

const isAdapterConfig = (o) => o.kind === "ConfigMap" && o.metadata?.name === "adapter-config";

/** The adapter's rules, parsed and checked: errors, and the metric names it serves per API. */
async function adapterRules(obj) {
  const at = `${id(obj)} config.yaml`;
  let config;
  try { config = YAML.parse(obj.data?.["config.yaml"] ?? ""); } catch (e) { return { errors: [`${at}: ${e.message}`], rules: [] }; }
  const errors = ajvErrors((await newAjv()).compile(ADAPTER_CONFIG), config ?? {}, at);
  const served = { custom: new Set(), external: new Set() };
  for (const [key, api] of [["rules", "custom"], ["externalRules", "external"]]) {
    for (const rule of Array.isArray(config?.[key]) ? config[key] : []) {
      if (typeof rule?.name?.matches !== "string") continue; // reported by the schema
      try { new RegExp(rule.name.matches); } catch (e) { errors.push(`${at} ${key}: name.matches: ${e.message}`); }
      served[api].add(rule.name.as ?? rule.name.matches.replace(/^\^|\$$/g, ""));
    }
  }
  const rules = ["rules", "externalRules"].flatMap((k) => (Array.isArray(config?.[k]) ? config[k] : []));
  return { errors, served, rules };
}

// ---- Metric names: every nbce_* series the manifests name must be a meter the code registers ----

let exportedCache;
/** Prometheus names of the meters registered in the gateway and worker sources (Micrometer: dots become underscores). */
function exportedMeters() {
  if (exportedCache) return exportedCache;
  exportedCache = new Set();
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".java")) {
        for (const m of readFileSync(p, "utf8").matchAll(/\.builder\("(nbce\.[a-z0-9.]+)"/g)) exportedCache.add(m[1].replaceAll(".", "_"));
      }
    }
  };
  ["gateway/src/main/java", "worker/src/main/java"].forEach(walk);
  return exportedCache;
}

function unknownMeters(text, at) {
  const meters = exportedMeters();
  const known = (n) => meters.has(n) || [...meters].some((m) => /^_(total|count|sum|bucket|max|seconds.*)$/.test(n.slice(m.length)) && n.startsWith(m));
  return [...new Set(String(text).match(/\bnbce_[a-z0-9_]+/g) ?? [])].filter((n) => !known(n))
    .map((n) => `${at}: '${n}' is not a meter the gateway or worker registers`);
}

// ---- Kubernetes: deployment policy (what this project requires of its workloads) ----

const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

function policyErrors(obj) {
  if (!WORKLOADS.has(obj.kind)) return [];
  const errors = [];
  const at = id(obj);
  const template = obj.spec?.template ?? {};
  const pod = template.spec ?? {};
  const labels = template.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(obj.spec?.selector?.matchLabels ?? {})) {
    if (labels[k] !== v) errors.push(`${at}: selector ${k}=${v} does not match the pod template labels`);
  }
  if (template.metadata?.annotations?.["prometheus.io/scrape"] !== "true") {
    errors.push(`${at}: pod template lacks prometheus.io/scrape: "true"`);
  }
  if (pod.terminationGracePeriodSeconds === undefined) errors.push(`${at}: terminationGracePeriodSeconds not set`);
  for (const c of pod.containers ?? []) {
    const where = `${at} container ${c.name}`;
    for (const side of ["requests", "limits"]) {
      if (!c.resources?.[side]?.memory) errors.push(`${where}: resources.${side}.memory not set`);
    }
    for (const probe of ["livenessProbe", "readinessProbe"]) {
      if (!c[probe]) errors.push(`${where}: no ${probe}`);
    }
    const nonRoot = c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
    if (nonRoot !== true) errors.push(`${where}: runAsNonRoot is not true`);
    if (c.securityContext?.allowPrivilegeEscalation !== false) errors.push(`${where}: allowPrivilegeEscalation is not false`);
    const portNames = new Set((c.ports ?? []).map((p) => p.name).filter(Boolean));
    for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
      const port = c[probe]?.httpGet?.port;
      if (typeof port === "string" && !portNames.has(port)) errors.push(`${where}: ${probe} names unknown port '${port}'`);
    }
  }
  return errors;
}

// ---- Kubernetes: references between the objects of one kustomization ----

const EXTERNAL_SECRETS = new Set(["nbce-api-keys", "nbce-cluster-tls"]); // created by the operator (deploy/README.md)

function selects(selector, labels) {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels?.[k] === v);
}

function crossErrors(objects) {
  const errors = [];
  const byKind = (kind) => objects.filter((o) => o.kind === kind);
  const workloads = objects.filter((o) => WORKLOADS.has(o.kind));
  const podLabels = (w) => w.spec?.template?.metadata?.labels;
  const configMaps = new Set(byKind("ConfigMap").map((o) => o.metadata.name));
  const secrets = new Set([...byKind("Secret").map((o) => o.metadata.name), ...EXTERNAL_SECRETS]);
  for (const svc of byKind("Service")) {
    const targets = workloads.filter((w) => selects(svc.spec?.selector, podLabels(w)));
    if (targets.length === 0) errors.push(`${id(svc)}: selector matches no workload`);
    for (const port of svc.spec?.ports ?? []) {
      if (typeof port.targetPort !== "string") continue;
      const named = targets.some((w) => (w.spec.template.spec.containers ?? []).some((c) => (c.ports ?? []).some((p) => p.name === port.targetPort)));
      if (targets.length && !named) errors.push(`${id(svc)}: targetPort '${port.targetPort}' is not a container port of the selected pods`);
    }
  }
  for (const pdb of byKind("PodDisruptionBudget")) {
    if (!workloads.some((w) => selects(pdb.spec?.selector?.matchLabels, podLabels(w)))) errors.push(`${id(pdb)}: selector matches no workload`);
  }
  for (const sts of byKind("StatefulSet")) {
    const svc = byKind("Service").find((s) => s.metadata.name === sts.spec?.serviceName);
    if (!svc) errors.push(`${id(sts)}: serviceName '${sts.spec?.serviceName}' is not a Service here`);
    else if (svc.spec?.clusterIP !== "None") errors.push(`${id(sts)}: serviceName '${svc.metadata.name}' is not headless`);
  }
  // Autoscalers: the target is a workload here, which leaves its replica count to them; the metrics exist.
  for (const a of [...byKind("HorizontalPodAutoscaler"), ...byKind("ScaledObject")]) {
    const ref = a.spec?.scaleTargetRef ?? {};
    const target = workloads.find((w) => w.kind === (ref.kind ?? "Deployment") && w.metadata.name === ref.name
      && w.apiVersion === (ref.apiVersion ?? "apps/v1"));
    if (!target) errors.push(`${id(a)}: scaleTargetRef ${ref.apiVersion}/${ref.kind}/${ref.name} is not a workload here`);
    else if (target.spec?.replicas !== undefined) errors.push(`${id(a)}: ${id(target)} sets spec.replicas, which every apply would reset under the autoscaler`);
    const others = [...byKind("HorizontalPodAutoscaler"), ...byKind("ScaledObject")].filter((b) => b !== a
      && b.spec?.scaleTargetRef?.name === ref.name && b.spec?.scaleTargetRef?.kind === ref.kind);
    if (others.length) errors.push(`${id(a)}: ${others.map(id).join(", ")} scale the same workload`);
    for (const m of a.spec?.metrics ?? []) errors.push(...unknownMeters(m[m.type?.toLowerCase()]?.metric?.name, id(a)));
    for (const t of a.spec?.triggers ?? []) errors.push(...unknownMeters(t.metadata?.query, id(a)));
  }
  for (const w of workloads) {
    for (const c of w.spec?.template?.spec?.containers ?? []) {
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef && !configMaps.has(from.configMapRef.name)) errors.push(`${id(w)}: envFrom ConfigMap '${from.configMapRef.name}' not defined`);
        if (from.secretRef && !secrets.has(from.secretRef.name)) errors.push(`${id(w)}: envFrom Secret '${from.secretRef.name}' not defined`);
      }
      for (const env of c.env ?? []) {
        const cm = env.valueFrom?.configMapKeyRef;
        const sec = env.valueFrom?.secretKeyRef;
        if (cm && !configMaps.has(cm.name)) errors.push(`${id(w)}: env ${env.name} uses undefined ConfigMap '${cm.name}'`);
        if (sec && !secrets.has(sec.name)) errors.push(`${id(w)}: env ${env.name} uses undefined Secret '${sec.name}'`);
      }
    }
  }
  return errors;
}

// ---- Kustomize: the subset used here (resources, images, JSON6902 patches), cross-checked
//      against `kubectl kustomize` whenever a kubectl is installed ----

const KUSTOMIZE_SUPPORTED = new Set(["apiVersion", "kind", "resources", "images", "patches"]);

function parsePointer(pointer) {
  return pointer.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function applyOp(doc, op) {
  const keys = parsePointer(op.path);
  const last = keys.pop();
  let parent = doc;
  for (const k of keys) {
    parent = parent?.[Array.isArray(parent) ? Number(k) : k];
    if (parent === undefined) throw new Error(`path ${op.path} does not exist`);
  }
  const isArray = Array.isArray(parent);
  const index = isArray ? (last === "-" ? parent.length : Number(last)) : last;
  if (op.op !== "add" && !(index in Object(parent))) throw new Error(`${op.op} ${op.path}: path does not exist`);
  if (op.op === "remove") isArray ? parent.splice(index, 1) : delete parent[index];
  else if (op.op === "replace") parent[index] = structuredClone(op.value);
  else if (op.op === "add") isArray ? parent.splice(index, 0, structuredClone(op.value)) : (parent[index] = structuredClone(op.value));
  else throw new Error(`patch op '${op.op}' is not supported here`);
}

function matchesTarget(obj, t) {
  const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["", obj.apiVersion];
  return (t.kind === undefined || t.kind === obj.kind) && (t.name === undefined || t.name === obj.metadata?.name)
    && (t.group === undefined || t.group === group) && (t.version === undefined || t.version === version);
}

function retag(image, rule) {
  const at = image.indexOf("@");
  const bare = at >= 0 ? image.slice(0, at) : image;
  const colon = bare.lastIndexOf(":");
  const name = colon > bare.lastIndexOf("/") ? bare.slice(0, colon) : bare;
  if (name !== rule.name) return image;
  const tag = rule.digest ? `@${rule.digest}` : rule.newTag ? `:${rule.newTag}` : image.slice(name.length);
  return (rule.newName ?? name) + tag;
}

/** Objects of a kustomization with its images and patches applied; errors name the kustomization file. */
function render(dir, errors, visiting = new Set()) {
  const kfile = path.join(dir, "kustomization.yaml");
  if (visiting.has(dir)) return void errors.push(`cycle through ${kfile}`) ?? [];
  visiting.add(dir);
  const [k] = loadDocs(kfile);
  for (const key of Object.keys(k)) {
    if (!KUSTOMIZE_SUPPORTED.has(key)) errors.push(`${kfile}: field '${key}' is not supported by this renderer (extend tools/check.mjs)`);
  }
  let objects = [];
  for (const r of k.resources ?? []) {
    const p = path.join(dir, r);
    if (!existsSync(p)) { errors.push(`${kfile}: resource '${r}' does not exist`); continue; }
    if (statSync(p).isDirectory()) { objects.push(...render(p, errors, visiting)); continue; }
    try { objects.push(...loadDocs(p)); } catch (e) { errors.push(`${p}: ${e.message}`); }
  }
  const listed = new Set((k.resources ?? []).map((r) => path.normalize(r)));
  for (const f of readdirSync(dir)) {
    if (/\.ya?ml$/.test(f) && f !== "kustomization.yaml" && !listed.has(f)) errors.push(`${kfile}: ${f} is not listed in resources`);
  }
  for (const rule of k.images ?? []) {
    let used = false;
    for (const o of objects) {
      const pod = o.spec?.template?.spec;
      for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
        const next = retag(c.image, rule);
        used ||= next !== c.image || c.image.startsWith(rule.name + ":") || c.image === rule.name;
        c.image = next;
      }
    }
    if (!used) errors.push(`${kfile}: image '${rule.name}' matches no container`);
  }
  for (const [i, p] of (k.patches ?? []).entries()) {
    if (p.path || !p.target || typeof p.patch !== "string") { errors.push(`${kfile}: patches[${i}] must be an inline JSON6902 patch with a target`); continue; }
    const ops = YAML.parse(p.patch);
    const targets = objects.filter((o) => matchesTarget(o, p.target));
    if (targets.length === 0) errors.push(`${kfile}: patches[${i}] target matches no object`);
    for (const o of targets) {
      for (const op of ops) {
        try { applyOp(o, op); } catch (e) { errors.push(`${kfile}: patches[${i}] on ${id(o)}: ${e.message}`); }
      }
    }
  }
  visiting.delete(dir);
  return objects;
}

function kubectlVersion() {
  try {
    const out = execFileSync("kubectl", ["version", "--client", "-o", "json"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return JSON.parse(out).kustomizeVersion ?? null;
  } catch {
    return null;
  }
}

const sortKey = (o) => `${o.apiVersion} ${o.kind} ${o.metadata?.name}`;
const sorted = (objects) => [...objects].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));

async function checkObject(file, obj, reported) {
  const checks = [
    ["kubernetes schema", await schemaErrors(obj)],
    ["kubernetes strict fields", strictErrors(obj)],
    ...(WORKLOADS.has(obj.kind) ? [["deployment policy", policyErrors(obj)]] : []),
  ];
  for (const [check, errors] of checks) {
    const fresh = errors.filter((e) => !reported.has(`${id(obj)} ${e}`));
    errors.forEach((e) => reported.add(`${id(obj)} ${e}`));
    report(file, `${check} ${id(obj)}`, fresh);
  }
}

async function checkKubernetes(dirs) {
  const reported = new Set(); // an error in a base file is reported once, not again per overlay
  const kustomize = kubectlVersion();
  const hpas = []; // [kustomization file, HPA] of every kustomization, checked against the adapter's rules
  let adapter = null;
  for (const dir of dirs) {
    const kfile = path.join(dir, "kustomization.yaml");
    const k = loadDocs(kfile)[0];
    for (const r of k.resources ?? []) {
      const p = path.join(dir, r);
      if (!existsSync(p) || statSync(p).isDirectory()) continue;
      let objects;
      try { objects = loadDocs(p); } catch (e) { fail(p, "yaml parse", e.message); continue; }
      for (const obj of objects) await checkObject(p, obj, reported);
    }
    const errors = [];
    const rendered = render(dir, errors);
    report(kfile, "kustomization render", errors);
    for (const obj of rendered) await checkObject(kfile, obj, reported);
    report(kfile, "references between objects", crossErrors(rendered));
    for (const obj of rendered) {
      if (obj.kind === "HorizontalPodAutoscaler") hpas.push([kfile, obj]);
      if (isAdapterConfig(obj)) {
        const rules = await adapterRules(obj);
        const seriesErrors = [...rules.rules].flatMap((r) => unknownMeters(`${r?.seriesQuery} ${r?.name?.as ?? ""}`, `${id(obj)} config.yaml`));
        report(kfile, `prometheus adapter rules ${id(obj)}`, [...rules.errors, ...seriesErrors]);
        adapter = rules.served ?? adapter;
      }
    }
    if (kustomize) {
      try {
        const out = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        const real = YAML.parseAllDocuments(out).map((d) => d.toJS()).filter(Boolean);
        report(kfile, `kubectl kustomize (${kustomize}) renders the same objects`,
          isDeepStrictEqual(sorted(real), sorted(rendered)) ? [] : ["local render differs from kubectl kustomize"]);
      } catch (e) {
        fail(kfile, "kubectl kustomize", String(e.stderr ?? e.message).trim());
      }
    } else {
      console.log(`SKIP\t${kfile}\tkubectl kustomize (no kubectl on PATH; local renderer used)`);
    }
  }
  // Every custom or external metric an HPA reads must be served by the adapter's rules.
  for (const [kfile, hpa] of hpas) {
    const errors = [];
    for (const m of hpa.spec?.metrics ?? []) {
      const api = { Pods: "custom", Object: "custom", External: "external" }[m.type];
      const name = m[m.type?.toLowerCase()]?.metric?.name;
      if (!api) continue;
      if (!adapter) errors.push(`${id(hpa)}: reads ${m.type} metric '${name}' but no Prometheus Adapter rules (ConfigMap adapter-config) are validated`);
      else if (!adapter[api].has(name)) errors.push(`${id(hpa)}: ${m.type} metric '${name}' is not served by the adapter's ${api === "custom" ? "rules" : "externalRules"}`);
    }
    report(kfile, `metrics served to ${id(hpa)}`, errors);
  }
}

// ---- Compose: the Compose Specification JSON schema, then cluster wiring ----

async function checkCompose(schemaFile, file) {
  const { default: Ajv2019 } = await import("ajv/dist/2019.js");
  const { default: addFormats } = await import("ajv-formats");
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  // Compose-specific formats: validated by Compose itself when it parses the strings.
  for (const f of ["expose", "ports", "subnet_ip_address"]) ajv.addFormat(f, true);
  // Compose durations are Go-style ("1m30s", "500ms"), not ISO 8601 as in ajv-formats.
  ajv.addFormat("duration", /^(\d+(\.\d+)?(us|ms|s|m|h))+$/);
  const schema = JSON.parse(readFileSync(schemaFile, "utf8"));
  // Written for draft 2019-09 but with the older "id": ajv wants "$id".
  delete schema.$schema;
  const renameIds = (node) => {
    if (typeof node !== "object" || node === null) return;
    // "#/definitions/x" ids are only labels (not valid $id values): drop them.
    if (typeof node.id === "string") { if (!node.id.startsWith("#")) node.$id = node.id; delete node.id; }
    Object.values(node).forEach(renameIds);
  };
  renameIds(schema);
  const validate = ajv.compile(schema);
  let doc;
  try { [doc] = loadDocs(file); } catch (e) { return fail(file, "yaml parse", e.message); }
  const ok = validate(doc);
  report(file, "compose specification schema", ok ? [] : validate.errors.map((e) => `${e.instancePath || "/"} ${e.message}${e.params?.additionalProperty ? ` '${e.params.additionalProperty}'` : ""}`));

  const errors = [];
  const services = doc.services ?? {};
  const hostOf = (name) => services[name]?.hostname ?? name;
  const hosts = new Set(Object.keys(services).flatMap((n) => [n, hostOf(n)]));
  for (const [name, svc] of Object.entries(services)) {
    const env = svc.environment ?? {};
    if (Array.isArray(env)) { errors.push(`${name}: use the map form of environment`); continue; }
    for (const member of String(env.NBCE_CLUSTER_MEMBERS ?? "").split(",").filter(Boolean)) {
      const host = member.trim().split(":")[0];
      if (!hosts.has(host)) errors.push(`${name}: cluster member '${host}' is not a service`);
    }
    if (env.NBCE_CLUSTER_MEMBERS && env.NBCE_PUBLIC_HOST !== hostOf(name)) errors.push(`${name}: NBCE_PUBLIC_HOST must be its own hostname '${hostOf(name)}'`);
    if (env.NBCE_CLUSTER_MEMBERS && !String(env.NBCE_EVENTBUS_PORT ?? "").match(/^[1-9][0-9]*$/)) errors.push(`${name}: NBCE_EVENTBUS_PORT must be fixed in containers`);
    if (!svc.healthcheck) errors.push(`${name}: no healthcheck`);
    if (!svc.restart) errors.push(`${name}: no restart policy`);
  }
  report(file, "cluster wiring", errors);
}

// ---- Dockerfile policy (syntax is linted by dockerfile-utils in validate.sh) ----

function checkDockerfile(file) {
  const lines = readFileSync(file, "utf8").replace(/\\\r?\n/g, " ").split(/\r?\n/)
    .map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const stages = new Set();
  const globalArgs = new Map(); // ARG defaults before the first FROM, as FROM expands them
  const errors = [];
  let finalStage = [];
  let seenFrom = false;
  for (const line of lines) {
    const [instruction, ...rest] = line.split(/\s+/);
    if (instruction.toUpperCase() === "ARG" && !seenFrom) {
      const [name, value] = rest[0].split("=");
      globalArgs.set(name, value ?? "");
    }
    if (instruction.toUpperCase() === "FROM") {
      const args = rest.filter((a) => !a.startsWith("--"));
      const image = args[0].replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, n) => globalArgs.get(n) ?? "");
      if (!stages.has(image) && (!/:[^/]+$/.test(image) || image.endsWith(":latest"))) {
        errors.push(`base image '${args[0]}' (= '${image}') must be a stage or an image pinned to a tag other than latest`);
      }
      if (args[1]?.toUpperCase() === "AS") stages.add(args[2]);
      seenFrom = true;
      finalStage = [];
    }
    finalStage.push(line);
  }
  const has = (instr) => finalStage.some((l) => l.toUpperCase().startsWith(instr + " "));
  const user = finalStage.filter((l) => /^USER\s/i.test(l)).pop()?.split(/\s+/)[1];
  if (!user || /^(root|0)(:|$)/.test(user)) errors.push("final stage must switch to a non-root USER");
  for (const instr of ["HEALTHCHECK", "EXPOSE", "ENTRYPOINT"]) {
    if (!has(instr)) errors.push(`final stage has no ${instr}`);
  }
  report(file, "image policy", errors);
}

// ---- main ----

const [mode, ...args] = process.argv.slice(2);
try {
  if (mode === "k8s") await checkKubernetes(args);
  else if (mode === "compose") await checkCompose(args[0], args[1]);
  else if (mode === "dockerfile") args.forEach(checkDockerfile);
  else {
    console.error("usage: check.mjs k8s <dir>... | compose <schema.json> <compose.yaml> | dockerfile <file>...");
    process.exit(2);
  }
} catch (e) {
  // A checker that could not finish fails the files it was given, never passes them silently.
  for (const a of mode === "compose" ? args.slice(1) : args) fail(a, `${mode} checker`, e.stack ?? e);
}
process.exit(failed ? 1 : 0);
