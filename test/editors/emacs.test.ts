import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'fs';
import * as path from 'path';
import { removeWorkspaces, workspace } from '../helpers/cli';

/*
 * Emacs 28 with eglot (Debian `emacs-nox`, `elpa-eglot`) as an independent LSP client of
 * `keyslot lsp --stdio`, with the configuration the README gives: it opens a Python file, waits
 * for keyslot's diagnostics through flymake, asks for a hover, and writes what it saw as JSON.
 * Slots are CLUSTER KEYSLOT facts: user:1001:profile 2549.
 */
after(removeWorkspaces);

const REPO = path.join(__dirname, '..', '..');
const APP = `from redis.cluster import RedisCluster
rc = RedisCluster(host="h", port=1)


def load_user():
    return rc.mget("user:1001:profile", "user:1001:settings")
`;

/** The README's eglot configuration, with this checkout's CLI instead of `keyslot` on PATH. */
function readmeEglotConfig(): string {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const m = /```elisp\n([^]*?)```/.exec(readme);
  assert.ok(m, 'the README has an elisp block for eglot');
  return m[1].replace('"keyslot" "lsp" "--stdio"', `"${process.execPath}" "${path.join(REPO, 'bin', 'keyslot.js')}" "lsp" "--stdio"`);
}

const SCRIPT = (file: string, out: string) => `
(require 'package)
(package-initialize)
(require 'eglot)
(require 'json)
${readmeEglotConfig()}
(setq eglot-sync-connect 10)
(defun keyslot-wait (pred seconds)
  "Process events until PRED holds or SECONDS pass."
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall pred)))
(let ((result '()))
  (condition-case err
      (progn
        (find-file ${JSON.stringify(file)})
        (python-mode)
        ;; what M-x eglot does (eglot-ensure waits for a command loop that batch mode does not run)
        (apply #'eglot (eglot--guess-contact))
        (keyslot-wait (lambda () (eglot-current-server)) 20)
        (push (cons 'connected (if (eglot-current-server) t :json-false)) result)
        (keyslot-wait (lambda () (seq-some (lambda (d) (string-match-p "fails on a cluster" (flymake-diagnostic-text d))) (flymake-diagnostics))) 30)
        (push (cons 'diagnostics (vconcat (mapcar (lambda (d) (list (cons 'line (line-number-at-pos (flymake-diagnostic-beg d))) (cons 'type (format "%s" (flymake-diagnostic-type d))) (cons 'text (flymake-diagnostic-text d)))) (flymake-diagnostics)))) result)
        (let* ((server (eglot-current-server))
               (hover (jsonrpc-request server :textDocument/hover
                                       (list :textDocument (list :uri (eglot--path-to-uri ${JSON.stringify(file)}))
                                             :position (list :line 5 :character 24)))))
          (push (cons 'hover (plist-get (plist-get hover :contents) :value)) result)))
    (error (push (cons 'error (error-message-string err)) result)))
  (with-temp-file ${JSON.stringify(out)} (insert (json-encode result)))
  (kill-emacs 0))
`;

test('Emacs eglot, configured as the README says, shows the crossslot error and the hover with the slot', () => {
  const dir = workspace({ 'app.py': APP, '.git/HEAD': 'ref: refs/heads/main\n' });
  const script = path.join(dir, 'run.el');
  const out = path.join(dir, 'out.json');
  fs.writeFileSync(script, SCRIPT(path.join(dir, 'app.py'), out));
  const r = spawnSync('emacs', ['--batch', '--no-init-file', '-l', script], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, HOME: dir } });
  assert.ok(fs.existsSync(out), `emacs wrote nothing: ${r.stderr}`);
  const seen = JSON.parse(fs.readFileSync(out, 'utf8')) as { connected: boolean; diagnostics?: { line: number; type: string; text: string }[]; hover?: string; error?: string };
  assert.equal(seen.error, undefined, r.stderr);
  assert.equal(seen.connected, true);
  const cross = seen.diagnostics?.find((d) => /MGET fails on a cluster/.test(d.text));
  assert.ok(cross, JSON.stringify(seen.diagnostics));
  assert.equal(cross.line, 6);
  assert.match(cross.type, /error/);
  assert.match(seen.hover ?? '', /2549/);
});
