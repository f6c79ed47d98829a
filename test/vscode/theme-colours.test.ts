import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/*
 * The hash-tag colour in the themes VS Code ships: the scope package.json maps the `hashTag`
 * semantic token to must be coloured apart from the string around it (a CIE76 colour difference
 * of at least 30) and readable on the editor background (contrast of at least 3:1), in Light,
 * Dark, High Contrast and High Contrast Light - read from the real theme files of the code-server
 * the suite runs (`entity.name.tag`, the first choice, was #800000 in #a31515 strings in Light).
 */
const root = path.resolve(__dirname, '..', '..');
const THEMES = ['light_modern.json', 'dark_modern.json', 'hc_black.json', 'hc_light.json'];
const MIN_DIFFERENCE = 30;
const MIN_CONTRAST = 3;

/** JSON with comments and trailing commas, as theme files are written. */
function parseJsonc(text: string): unknown {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = /"((?:[^"\\]|\\.)*)"/y;
      end.lastIndex = i;
      const m = end.exec(text)!;
      out += m[0];
      i += m[0].length - 1;
    } else if (text.startsWith('//', i)) i = text.indexOf('\n', i) - 1;
    else if (text.startsWith('/*', i)) i = text.indexOf('*/', i) + 1;
    else out += c;
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}

type Theme = { tokenColors: { scope?: string | string[]; settings: { foreground?: string } }[]; background: string };

/** A theme's token colours and editor background; one that sets no background has its kind's (`uiTheme` in the extension's package.json). */
function loadTheme(dir: string, file: string): Theme {
  const t = parseJsonc(fs.readFileSync(path.join(dir, file), 'utf8')) as { include?: string; tokenColors?: Theme['tokenColors']; colors?: Record<string, string> };
  const base = t.include ? loadTheme(dir, t.include) : { tokenColors: [], background: '' };
  const ui = (parseJsonc(fs.readFileSync(path.join(dir, '..', 'package.json'), 'utf8')) as { contributes: { themes: { path: string; uiTheme: string }[] } }).contributes.themes.find((x) => path.basename(x.path) === file)?.uiTheme;
  const byKind: Record<string, string> = { vs: '#FFFFFF', 'hc-light': '#FFFFFF', 'vs-dark': '#1E1E1E', 'hc-black': '#000000' };
  return { tokenColors: [...base.tokenColors, ...(t.tokenColors ?? [])], background: t.colors?.['editor.background'] ?? (base.background || byKind[ui ?? ''] || '') };
}

/** The foreground of the most specific simple selector that matches `scope` (later rules win ties, as in VS Code). */
function colourOf(theme: Theme, scope: string): string | undefined {
  let best: string | undefined;
  let length = -1;
  for (const rule of theme.tokenColors) {
    const selectors = typeof rule.scope === 'string' ? rule.scope.split(',') : (rule.scope ?? []);
    for (const s of selectors.map((x) => x.trim())) {
      if (s.includes(' ') || !rule.settings.foreground || !(scope === s || scope.startsWith(s + '.'))) continue;
      if (s.length >= length) [best, length] = [rule.settings.foreground, s.length];
    }
  }
  return best;
}

const channels = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
const luminance = (hex: string) => {
  const [r, g, b] = channels(hex);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
function lab(hex: string): number[] {
  const [r, g, b] = channels(hex);
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const [x, y, z] = [(0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b, (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883].map(f);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}
const difference = (a: string, b: string) => Math.hypot(...lab(a).map((v, i) => v - lab(b)[i]));
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};

test('the hash-tag colour stands apart from strings and reads on the background in the four default themes', () => {
  const r = spawnSync(process.execPath, ['-e', "import('./scripts/code-server.mjs').then((m) => console.log(m.codeServerDir()))"], { cwd: root, encoding: 'utf8' });
  const dir = path.join(r.stdout.trim(), 'node_modules', 'code-server', 'lib', 'vscode', 'extensions', 'theme-defaults', 'themes');
  assert.ok(fs.existsSync(dir), `code-server's themes at ${dir} (the vscode layer installs code-server first)`);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: { semanticTokenScopes: { scopes: Record<string, string[]> }[] } };
  const scope = pkg.contributes.semanticTokenScopes[0].scopes.hashTag[0];
  for (const file of THEMES) {
    const theme = loadTheme(dir, file);
    const tag = colourOf(theme, scope)?.slice(0, 7);
    const string = colourOf(theme, 'string.quoted.double.python')?.slice(0, 7);
    assert.ok(tag && string && theme.background, `${file}: colours for ${scope} (${tag}), strings (${string}), background (${theme.background})`);
    assert.ok(difference(tag, string) >= MIN_DIFFERENCE, `${file}: ${scope} ${tag} against strings ${string}: difference ${difference(tag, string).toFixed(0)}`);
    assert.ok(contrast(tag, theme.background.slice(0, 7)) >= MIN_CONTRAST, `${file}: ${tag} on ${theme.background}: contrast ${contrast(tag, theme.background.slice(0, 7)).toFixed(1)}`);
  }
});
