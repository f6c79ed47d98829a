import * as fs from 'fs';
import * as path from 'path';
import picomatch from 'picomatch';
import { evenSplit, fromRanges, Topology } from '../model/topology';
import { KeyslotSettings, parseSettings, TopologySetting } from '../protocol';
import type { RuleOptions } from '../rules';

export const CONFIG_FILE = 'keyslot.config.json';

export class ConfigError extends Error {}

/**
 * Reads `keyslot.config.json` (the given file, or the one in the root); no file means defaults.
 * The CLI stops on any error (loadConfig); the editor runs with the settings that are good and
 * shows the errors (readConfig). A file that cannot be read or parsed gives no settings at all.
 */
export function readConfig(root: string, explicit?: string): { settings: KeyslotSettings; file: string | null; errors: string[] } {
  const file = explicit ? path.resolve(explicit) : path.join(root, CONFIG_FILE);
  const shown = path.relative(process.cwd(), file) || file;
  const defaults = parseSettings(undefined, file).settings;
  if (!fs.existsSync(file)) {
    if (explicit) throw new ConfigError(`no such config file: ${explicit}`);
    return { settings: defaults, file: null, errors: [] };
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { settings: defaults, file, errors: [`${shown}: cannot be read (${code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message})`] };
  }
  let json: unknown;
  try {
    // editors on Windows save JSON with a byte order mark
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { settings: defaults, file, errors: [`${shown}: not valid JSON (${(e as Error).message})`] };
  }
  const { settings, errors } = parseSettings(json, shown);
  return { settings, file, errors };
}

/** readConfig for the CLI: any error stops the run (exit 2). */
export function loadConfig(root: string, explicit?: string): { settings: KeyslotSettings; file: string | null } {
  const { settings, file, errors } = readConfig(root, explicit);
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
