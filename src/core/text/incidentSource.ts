import * as jsYaml from 'js-yaml';
import { isAlias, isMap, isScalar, isSeq, type Document, type Node as YamlNode } from 'yaml';

/**
 * One shape for a parsed incident file, whichever YAML parser read it. Records in the plain subset of
 * YAML (nearly all) are read once, by the subset reader, with the `yaml` package's node ranges. Others
 * are read at most twice: first js-yaml's plain values (fast, README, Performance, but without positions), then,
 * only when that finds something to report, the `yaml` package's Document, whose node ranges give each
 * problem its exact line and column.
 */
export interface SourceNode {
  kind: 'map' | 'seq' | 'scalar';
  /** Scalars: the value (null when empty). */
  value: unknown;
  /** Scalars: strings as they are, other values as written (`2026-11-23` stays text under YAML 1.1 too). */
  text: string;
  /** Maps, in file order. */
  pairs: SourcePair[];
  /** Sequences. */
  items: SourceNode[];
  /** Offsets [start, end) in the text, when the parser gives them. */
  range?: readonly [number, number];
}

export interface SourcePair {
  /** The key as text; '' for a key that is itself a collection. */
  key: string;
  keyNode: SourceNode;
  value: SourceNode;
}

const MAX_DEPTH = 64;

/** Thrown when js-yaml's value shares objects (anchors and aliases): the `yaml` path handles those safely. */
export class SharedValueError extends Error {}

export function isEmptyNode(node: SourceNode | undefined): boolean {
  return node === undefined || (node.kind === 'scalar' && (node.value === null || node.value === undefined));
}

function scalar(value: unknown, text: string, range?: readonly [number, number]): SourceNode {
  return { kind: 'scalar', value, text, pairs: [], items: [], range };
}

/** Builds the tree from a `yaml` Document; aliases are followed (the caller has bounded their expansion). */
export function sourceFromDocument(doc: Document, node: unknown = doc.contents, depth = 0, fallback?: readonly [number, number]): SourceNode {
  if (depth > MAX_DEPTH) return scalar(null, '', fallback);
  if (isAlias(node)) {
    const target = node.resolve(doc);
    const built = sourceFromDocument(doc, target, depth + 1, fallback);
    return { ...built, range: node.range ? [node.range[0], node.range[1]] : fallback };
  }
  const yamlNode = node as YamlNode | null | undefined;
  const range: readonly [number, number] | undefined = yamlNode?.range ? [yamlNode.range[0], yamlNode.range[1]] : fallback;
  if (isMap(node)) {
    const pairs: SourcePair[] = node.items.map((pair) => {
      const keyNode = sourceFromDocument(doc, pair.key, depth + 1, range);
      const key = keyNode.kind === 'scalar' ? (keyNode.value === null ? '' : keyNode.text) : '';
      const value = sourceFromDocument(doc, pair.value, depth + 1, keyNode.range ?? range);
      return { key, keyNode, value };
    });
    return { kind: 'map', value: undefined, text: '', pairs, items: [], range };
  }
  if (isSeq(node)) {
    return { kind: 'seq', value: undefined, text: '', pairs: [], items: node.items.map((item) => sourceFromDocument(doc, item, depth + 1, range)), range };
  }
  if (isScalar(node)) {
    const value = node.value;
    const text = typeof value === 'string' ? value : typeof node.source === 'string' && node.source !== '' ? node.source : value === null || value === undefined ? '' : String(value);
    return scalar(value instanceof Date ? text : value, text, range);
  }
  return scalar(null, '', range);
}

/** Builds the tree from js-yaml's plain value. Throws {@link SharedValueError} on shared objects. */
export function sourceFromPlain(value: unknown, seen: Set<object> = new Set(), depth = 0): SourceNode {
  if (depth > MAX_DEPTH) throw new SharedValueError('nested too deeply');
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    if (seen.has(value)) throw new SharedValueError('shared value');
    seen.add(value);
    if (Array.isArray(value)) {
      return { kind: 'seq', value: undefined, text: '', pairs: [], items: value.map((v) => sourceFromPlain(v, seen, depth + 1)), range: undefined };
    }
    const pairs = Object.entries(value as Record<string, unknown>).map(([key, v]) => ({
      key,
      keyNode: scalar(key, key),
      value: sourceFromPlain(v, seen, depth + 1),
    }));
    return { kind: 'map', value: undefined, text: '', pairs, items: [] };
  }
  if (value instanceof Date) return scalar(value.toISOString(), value.toISOString());
  return scalar(value ?? null, value === null || value === undefined ? '' : String(value));
}

/** js-yaml with the YAML 1.2 core schema, like the `yaml` package: timestamps stay text. */
export function loadPlain(text: string): unknown {
  return jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
}

export function pairOf(node: SourceNode | undefined, key: string): SourcePair | undefined {
  if (node === undefined) return undefined;
  // A plain loop: called for every field of every timeline entry, where find's closure showed in profiles.
  const pairs = node.pairs;
  for (let i = 0; i < pairs.length; i++) if (pairs[i].key === key) return pairs[i];
  return undefined;
}
