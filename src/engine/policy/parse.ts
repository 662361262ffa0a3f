/**
 * Reads and validates a policy file. Strict: an unknown key, a wrong type, a
 * bad duration or a rule without a trigger is an INVALID_ARGUMENT whose
 * message starts with the JSON path of the offending value
 * (`targets[0].rules[1].keep.daily: ...`), so nothing is read or written
 * on a bad file.
 */

import { getNodeValue, Node as JsonNode, ParseError, parseTree, printParseErrorCode } from 'jsonc-parser/lib/esm/main.js';
import { parseDuration } from '../duration';
import { EngineError, messageOf } from '../errors';
import { normalizeDbPath } from '../paths';
import { compileGlob } from '../glob';
import type { BackupTarget, KeepPolicy, Policy, PolicyRule, PolicyStore, PolicyTarget } from './types';

const RULE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.]*$/;
/** The latest time a SlateDB checkpoint can express (u32 seconds). */
const MAX_LIFETIME_MS = 0xffffffff * 1000;

type Obj = Record<string, unknown>;

function fail(where: string, message: string): never {
  throw new EngineError('INVALID_ARGUMENT', `${where}: ${message}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v === 'object' ? 'an object' : `the ${typeof v} ${String(v)}`}`;
}

function object(v: unknown, where: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, `expected an object, found ${describe(v)}`);
  return v as Obj;
}

function onlyKeys(o: Obj, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) fail(`${where}.${k}`, `unknown key; allowed here: ${allowed.join(', ')}`);
  }
}

function string(o: Obj, key: string, where: string, required: true): string;
function string(o: Obj, key: string, where: string, required?: false): string | undefined;
function string(o: Obj, key: string, where: string, required = false): string | undefined {
  const v = o[key];
  if (v === undefined) {
    if (required) fail(`${where}.${key}`, 'missing (required)');
    return undefined;
  }
  if (typeof v !== 'string' || v.trim() === '') fail(`${where}.${key}`, `expected a non-empty string, found ${describe(v)}`);
  return v;
}

function positiveInt(o: Obj, key: string, where: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    fail(`${where}.${key}`, `expected a whole number of at least 1, found ${describe(v)}${v === 0 ? ' (omit the clause instead)' : ''}`);
  }
  return v;
}

function duration(o: Obj, key: string, where: string): number | undefined {
  const text = string(o, key, where);
  if (text === undefined) return undefined;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (e) {
    return fail(`${where}.${key}`, messageOf(e).replace(/^lifetime /, ''));
  }
  if (ms < 1000) fail(`${where}.${key}`, `"${text}" is shorter than 1 second`);
  return ms;
}

/** A store URL as the CLI takes it, checked without opening it. */
function storeUrl(o: Obj, where: string): string {
  const url = string(o, 'store', where, true).trim();
  if (/^file:\/\//i.test(url)) {
    if (!/^file:\/\/\/./i.test(url)) fail(`${where}.store`, `"${url}" must be an absolute file URL such as file:///data/slatedb`);
    return url;
  }
  if (/^s3:\/\//i.test(url)) {
    if (!/^s3:\/\/[^/?#]+\/?[^?#]*$/i.test(url)) fail(`${where}.store`, `"${url}" is not a valid S3 URL: use s3://bucket or s3://bucket/prefix`);
    return url;
  }
  return fail(`${where}.store`, `"${url}" is not a supported store URL: use file:///absolute/dir or s3://bucket[/prefix]`);
}

function storeOf(o: Obj, where: string): PolicyStore {
  const store: PolicyStore = { url: storeUrl(o, where) };
  const endpointUrl = string(o, 'endpoint_url', where);
  const region = string(o, 'region', where);
  const profile = string(o, 'profile', where);
  if ((endpointUrl || region || profile) && !store.url.toLowerCase().startsWith('s3://')) {
    fail(where, 'endpoint_url, region and profile apply to s3:// stores only');
  }
  if (endpointUrl !== undefined) {
    if (!/^https?:\/\/[^\s]+$/i.test(endpointUrl)) fail(`${where}.endpoint_url`, `"${endpointUrl}" is not an http(s) URL`);
    store.endpointUrl = endpointUrl;
  }
  if (region !== undefined) store.region = region;
  if (profile !== undefined) store.profile = profile;
  return store;
}

function dbPath(o: Obj, key: string, where: string): string {
  const text = string(o, key, where, true);
  try {
    return normalizeDbPath(text);
  } catch (e) {
    return fail(`${where}.${key}`, messageOf(e));
  }
}

const KEEP_KEYS = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'within'] as const;

function keepOf(v: unknown, where: string): KeepPolicy {
  const o = object(v, where);
  onlyKeys(o, KEEP_KEYS, where);
  if (Object.keys(o).length === 0) fail(where, `has no clause; give at least one of ${KEEP_KEYS.join(', ')}, or omit keep to delete nothing`);
  const keep: KeepPolicy = { text: '' };
  for (const k of ['last', 'hourly', 'daily', 'weekly', 'monthly'] as const) {
    const n = positiveInt(o, k, where);
    if (n !== undefined) keep[k] = n;
  }
  const within = duration(o, 'within', where);
  if (within !== undefined) keep.withinMs = within;
  keep.text = `keep ${JSON.stringify(o).replace(/"(\w+)":/g, '$1: ').replace(/,/g, ', ')}`;
  return keep;
}

function backupOf(v: unknown, where: string): BackupTarget {
  const o = object(v, where);
  onlyKeys(o, ['store', 'path', 'endpoint_url', 'region', 'profile'], where);
  return { ...storeOf(o, where), path: dbPath(o, 'path', where) };
}

function ruleOf(v: unknown, where: string): PolicyRule {
  const o = object(v, where);
  onlyKeys(o, ['name', 'every', 'everyWrites', 'lifetime', 'keep', 'backup'], where);
  const name = string(o, 'name', where, true);
  if (!RULE_NAME.test(name) || name.length > 200) {
    fail(`${where}.name`, `"${name}" is not a valid rule name: use letters, digits, "_" and "." (no "-": it separates the rule from the time in checkpoint names), at most 200 characters`);
  }
  const rule: PolicyRule = { name, where };
  const every = duration(o, 'every', where);
  if (every !== undefined) {
    if (every % 1000 !== 0) fail(`${where}.every`, `"${o.every}" is not a whole number of seconds`);
    rule.everyMs = every;
  }
  const writes = positiveInt(o, 'everyWrites', where);
  if (writes !== undefined) rule.everyWrites = writes;
  if (rule.everyMs === undefined && rule.everyWrites === undefined) fail(where, 'has no trigger: give every (a duration), everyWrites (a number) or both');
  const lifetime = duration(o, 'lifetime', where);
  if (lifetime !== undefined) {
    if (lifetime > MAX_LIFETIME_MS / 2) fail(`${where}.lifetime`, `"${o.lifetime}" is too long for a SlateDB checkpoint; omit it for checkpoints that never expire`);
    rule.lifetimeMs = lifetime;
  }
  if (o.keep !== undefined) rule.keep = keepOf(o.keep, `${where}.keep`);
  if (o.backup !== undefined) rule.backup = backupOf(o.backup, `${where}.backup`);
  return rule;
}

function targetOf(v: unknown, where: string): PolicyTarget {
  const o = object(v, where);
  onlyKeys(o, ['store', 'endpoint_url', 'region', 'profile', 'path', 'path_glob', 'rules'], where);
  const target: PolicyTarget = { store: storeOf(o, where), rules: [], where };
  if ((o.path === undefined) === (o.path_glob === undefined)) fail(where, 'give exactly one of path (one database) or path_glob (every database it matches)');
  if (o.path !== undefined) target.path = dbPath(o, 'path', where);
  else {
    const glob = string(o, 'path_glob', where, true);
    try {
      compileGlob(glob);
    } catch (e) {
      fail(`${where}.path_glob`, messageOf(e));
    }
    target.pathGlob = glob;
  }
  if (!Array.isArray(o.rules)) fail(`${where}.rules`, o.rules === undefined ? 'missing (required)' : `expected an array, found ${describe(o.rules)}`);
  if (o.rules.length === 0) fail(`${where}.rules`, 'is empty: give at least one rule');
  target.rules = o.rules.map((r, i) => ruleOf(r, `${where}.rules[${i}]`));
  const seen = new Map<string, string>();
  for (const r of target.rules) {
    const other = seen.get(r.name);
    if (other) fail(`${r.where}.name`, `"${r.name}" is also the name of ${other}: rule names must be unique within a target`);
    seen.set(r.name, r.where);
  }
  return target;
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  return `line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}`;
}

/** A key given twice would silently lose one value under JSON.parse: an error instead. */
function checkDuplicateKeys(node: JsonNode, where: string, text: string): void {
  if (node.type === 'object') {
    const seen = new Set<string>();
    for (const prop of node.children ?? []) {
      const [keyNode, valueNode] = prop.children ?? [];
      const key = keyNode?.value as string;
      const at = where === '' ? key : `${where}.${key}`;
      if (seen.has(key)) fail(at, `given twice (${lineColumn(text, keyNode.offset)}); keep one`);
      seen.add(key);
      if (valueNode) checkDuplicateKeys(valueNode, at, text);
    }
  } else if (node.type === 'array') {
    (node.children ?? []).forEach((child, i) => checkDuplicateKeys(child, `${where}[${i}]`, text));
  }
}

/** Validates a policy given as parsed JSON. `source` names it in messages. */
export function validatePolicy(value: unknown, source = 'policy'): Policy {
  try {
    const root = object(value, '(root)');
    onlyKeys(root, ['$schema', 'targets'], '(root)');
    if (!Array.isArray(root.targets)) fail('targets', root.targets === undefined ? 'missing (required)' : `expected an array, found ${describe(root.targets)}`);
    if (root.targets.length === 0) fail('targets', 'is empty: give at least one target');
    return { targets: root.targets.map((t, i) => targetOf(t, `targets[${i}]`)) };
  } catch (e) {
    if (e instanceof EngineError) throw new EngineError('INVALID_ARGUMENT', `${source}: ${e.message}`);
    throw e;
  }
}

/** Parses and validates policy JSON text (strict JSON: no comments, no trailing commas). */
export function parsePolicy(text: string, source = 'policy'): Policy {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  if (errors.length > 0 || tree === undefined) {
    const first = errors[0];
    const where = first ? ` (${lineColumn(text, first.offset)})` : '';
    const what = first ? printParseErrorCode(first.error) : 'it is empty';
    throw new EngineError('INVALID_ARGUMENT', `${source} is not valid JSON${where}: ${what}`);
  }
  try {
    checkDuplicateKeys(tree, '', text);
  } catch (e) {
    throw new EngineError('INVALID_ARGUMENT', `${source}: ${messageOf(e)}`);
  }
  return validatePolicy(getNodeValue(tree), source);
}
