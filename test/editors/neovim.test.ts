import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { removeWorkspaces, workspace } from '../helpers/cli';

/*
 * Neovim 0.7 (Debian `neovim`) as an independent LSP client of `keyslot lsp --stdio`
 * (../shared/docs/real-editors.md): it attaches to a Python file, reads a hover, waits for the
 * diagnostics, applies the tag quick fix and writes what it saw as JSON. Slots are CLUSTER KEYSLOT
 * facts: user:1001:profile 2549.
 */
after(removeWorkspaces);

const APP = `from redis.cluster import RedisCluster
rc = RedisCluster(host="h", port=1)


def load_user():
    return rc.mget("user:1001:profile", "user:1001:settings")
`;

const SCRIPT = `
local out, file = {}, vim.env.KEYSLOT_OUT
local function finish(ok)
  local f = io.open(file, 'w'); f:write(vim.fn.json_encode(out)); f:close()
  if ok then vim.cmd('qall!') else vim.cmd('cquit! 1') end
end
local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.env.KEYSLOT_FILE)
  local buf = vim.api.nvim_get_current_buf()
  local id = vim.lsp.start_client({ name = 'keyslot', cmd = { 'node', vim.env.KEYSLOT_BIN, 'lsp', '--stdio' }, root_dir = vim.env.KEYSLOT_ROOT })
  vim.lsp.buf_attach_client(buf, id)
  local client = vim.lsp.get_client_by_id(id)
  out.initialized = vim.wait(20000, function() return client.initialized end, 20)
  out.got_diagnostics = vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
  out.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do table.insert(out.diagnostics, { lnum = d.lnum, code = d.code, severity = d.severity, message = d.message }) end
  local hover = vim.lsp.buf_request_sync(buf, 'textDocument/hover', { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = 5, character = 24 } }, 10000)
  for _, r in pairs(hover or {}) do if r.result then out.hover = r.result.contents.value end end
  local diag = vim.lsp.diagnostic.get_line_diagnostics(buf, 5)
  local actions = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', { textDocument = { uri = vim.uri_from_bufnr(buf) }, range = diag[1].range, context = { diagnostics = diag } }, 10000)
  out.titles = {}
  for _, r in pairs(actions or {}) do
    for _, a in ipairs(r.result or {}) do
      table.insert(out.titles, a.title)
      if a.isPreferred then vim.lsp.util.apply_workspace_edit(a.edit, 'utf-16') end
    end
  end
  out.text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\\n')
  out.cleared = vim.wait(20000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do if d.code == 'crossslot' then return false end end
    return true
  end, 20)
end)
out.error = (not ok) and tostring(err) or nil
finish(ok)
`;

test('Neovim 0.7 attaches keyslot lsp --stdio: hover with the slot, diagnostics, a quick fix applied and re-checked', () => {
  const root = workspace({ 'app.py': APP, 'test.lua': SCRIPT });
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'keyslot-nvim-'));
  const out = path.join(home, 'out.json');
  const r = spawnSync('nvim', ['--headless', '--clean', '-u', path.join(root, 'test.lua')], {
    encoding: 'utf8',
    timeout: 90_000,
    env: { ...process.env, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home, XDG_STATE_HOME: home, XDG_CACHE_HOME: home, KEYSLOT_OUT: out, KEYSLOT_FILE: path.join(root, 'app.py'), KEYSLOT_ROOT: root, KEYSLOT_BIN: path.resolve(__dirname, '..', '..', 'bin', 'keyslot.js') },
  });
  assert.ok(fs.existsSync(out), `nvim wrote nothing (exit ${r.status}): ${r.stderr}`);
  const seen = JSON.parse(fs.readFileSync(out, 'utf8'));
  fs.rmSync(home, { recursive: true, force: true });
  assert.equal(seen.error, undefined, seen.error);
  assert.equal(r.status, 0);
  assert.ok(seen.initialized && seen.got_diagnostics);
  assert.ok(seen.diagnostics.some((d: { lnum: number; code: string; severity: number }) => d.lnum === 5 && d.code === 'crossslot' && d.severity === 1), JSON.stringify(seen.diagnostics));
  assert.match(seen.hover, /slot \*\*2549\*\*/);
  assert.ok(seen.titles.includes('Tag with {user:1001}: 2 places in 1 file'), JSON.stringify(seen.titles));
  assert.match(seen.text, /rc\.mget\("\{user:1001\}:profile", "\{user:1001\}:settings"\)/);
  assert.equal(seen.cleared, true, 'the crossslot diagnostic is gone after the fix');
});
