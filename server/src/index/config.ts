import * as fs from 'fs';
import * as path from 'path';
import picomatch from 'picomatch';
import { evenSplit, fromRanges, Topology } from '../model/topology';
import { KeyslotSettings, parseSettings, TopologySetting } from '../protocol';
import type { RuleOptions } from '../rules';

export const CONFIG_FILE = 'keyslot.config.json';

export class ConfigError extends Error {}

/** Reads `keyslot.config.json` (the given file, or the one in the root); no file means defaults. */
export function loadConfig(root: string, explicit?: string): { settings: KeyslotSettings; file: string | null } {
  const file = explicit ? path.resolve(explicit) : path.join(root, CONFIG_FILE);
  if (!fs.existsSync(file)) {
    if (explicit) throw new ConfigError(`no such config file: ${explicit}`);
    return { settings: parseSettings(undefined, file).settings, file: null };
  }
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${path.relative(process.cwd(), file) || file}: not valid JSON (${(e as Error).message})`);
  }
  const { settings, errors } = parseSettings(json, path.relative(process.cwd(), file) || file);
  if (errors.length) throw new ConfigError(errors.join('\n'));
  return { settings, file };
}

export function topologyOf(t: TopologySetting): Topology {
  if (t.nodes) {
    const ranges = t.nodes.flatMap((n) =>
      n.slots.map((r) => {
        const [a, b] = r.split('-').map(Number);
        return { start: a, end: b ?? a, node: n.name };
      }),
    );
    try {
      return fromRanges(ranges, 'the configured topology');
    } catch (e) {
      throw new ConfigError(`topology: ${(e as Error).message}`);
    }
  }
  return evenSplit(t.primaries ?? 3);
}

/** The test-code setting as the rules take it: a matcher over workspace-relative paths. */
export function testsOf(settings: KeyslotSettings): RuleOptions['tests'] {
  const { level, paths } = settings.tests;
  const isTest = paths.length ? picomatch(paths, { dot: true }) : () => false;
  return { level, isTest: (file) => isTest(file) };
}
