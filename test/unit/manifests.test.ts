import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { declaresVersions, lowerBound, Manifests, VERSION_FILES_GLOB } from '../../server/src/index/manifests';
import { removeWorkspaces, workspace } from '../helpers/cli';

/* Library versions a project declares, as the rules read them: the lower bound of each range. */
after(removeWorkspaces);

describe('declared library versions', () => {
  test('lower bound of a range: the oldest version an install may pick', () => {
    const cases: [string, number[] | null][] = [
      ['6.3.1', [6, 3, 1]],
      ['^4.7.0', [4, 7, 0]],
      ['~6.2', [6, 2]],
      ['>=4.5,<5', [4, 5]],
      ['<5,>=4.1', [4, 1]],
      ['==5.0.1', [5, 0, 1]],
      ['~=5.0', [5, 0]],
      ['^5 || ^4.2', [4, 2]],
      ['v9.7.0', [9, 7, 0]],
      ['*', null],
      ['latest', null],
      ['github:redis/node-redis', null],
    ];
    for (const [spec, want] of cases) assert.deepEqual(lowerBound(spec), want, spec);
  });

  test('nearest manifest per file, for each ecosystem', () => {
    const dir = workspace({
      'package.json': JSON.stringify({ dependencies: { ioredis: '^5.3.2' }, devDependencies: { redis: '4.6.0' } }),
      'svc/package.json': JSON.stringify({ dependencies: { redis: '^6.2.0' } }),
      'svc/app.js': '',
      'web/app.js': '',
      'py/requirements.txt': 'hiredis>=2\nredis[hiredis]>=4.5,<5  # cluster\n',
      'py/app.py': '',
      'poetry/pyproject.toml': '[tool.poetry.dependencies]\npython = "^3.11"\nredis = "^5.0.1"\n',
      'poetry/m.py': '',
      'pep621/pyproject.toml': '[project]\ndependencies = ["requests", "redis==5.2.1"]\n',
      'pep621/m.py': '',
      'go/go.mod': 'module x\n\nrequire (\n\tgithub.com/redis/go-redis/v9 v9.7.0\n)\n',
      'go/internal/s.go': '',
      'java/pom.xml': '<project><properties><jedis.version>5.1.0</jedis.version></properties><dependencies><dependency><groupId>redis.clients</groupId><artifactId>jedis</artifactId><version>${jedis.version}</version></dependency><dependency><groupId>io.lettuce</groupId><artifactId>lettuce-core</artifactId><version>6.3.2.RELEASE</version></dependency></dependencies></project>',
      'java/src/A.java': '',
      'gradle/build.gradle': "dependencies {\n  implementation 'org.redisson:redisson:3.27.0'\n}\n",
      'gradle/src/B.java': '',
    });
    const m = new Manifests(dir);
    const v = (file: string, lib: Parameters<Manifests['versionOf']>[1]) => {
      const d = m.versionOf(file, lib);
      return d && `${d.spec} ${d.lower?.join('.')} ${d.manifest}`;
    };
    assert.equal(v('svc/app.js', 'node-redis'), '^6.2.0 6.2.0 svc/package.json');
    assert.equal(v('svc/app.js', 'ioredis'), '^5.3.2 5.3.2 package.json', 'a library the nearer manifest does not declare comes from further up');
    assert.equal(v('web/app.js', 'node-redis'), '4.6.0 4.6.0 package.json');
    assert.equal(v('py/app.py', 'redis-py'), '>=4.5,<5 4.5 py/requirements.txt');
    assert.equal(v('poetry/m.py', 'redis-py'), '^5.0.1 5.0.1 poetry/pyproject.toml');
    assert.equal(v('pep621/m.py', 'redis-py'), '==5.2.1 5.2.1 pep621/pyproject.toml');
    assert.equal(v('go/internal/s.go', 'go-redis'), 'v9.7.0 9.7.0 go/go.mod');
    assert.equal(v('java/src/A.java', 'jedis'), '5.1.0 5.1.0 java/pom.xml');
    assert.equal(v('java/src/A.java', 'lettuce'), '6.3.2.RELEASE 6.3.2 java/pom.xml');
    assert.equal(v('gradle/src/B.java', 'redisson'), '3.27.0 3.27.0 gradle/build.gradle');
    assert.equal(v('py/app.py', 'go-redis'), null);
  });

  test('the editor watches exactly the files that declare versions', () => {
    const watched = VERSION_FILES_GLOB.split(',');
    for (const name of watched) assert.ok(declaresVersions(name.replace('*', '-dev')), name);
    for (const name of ['requirements-dev.txt', 'go.sum', 'yarn.lock', 'gradle.lockfile', 'Pipfile.lock']) assert.ok(watched.some((w) => new RegExp(`^${w.replace(/\./g, '\\.').replace('*', '.*')}$`).test(name)), name);
    for (const name of ['package.jsonc', 'go.work', 'lock.json', 'README.md']) assert.equal(declaresVersions(name), false, name);
  });

  test('a lockfile beside the manifest says the installed version, and wins over the range', () => {
    // lockfile shapes as each tool writes them (npm 7+, yarn 1 and berry, pnpm 6+, poetry/uv, pipenv, go, gradle)
    const dir = workspace({
      'npm/package.json': JSON.stringify({ dependencies: { ioredis: '^5.0.0', redis: '^4.0.0' } }),
      'npm/package-lock.json': JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/ioredis': { version: '5.4.1' }, 'node_modules/redis': { version: '4.7.0' }, 'node_modules/@redis/client': { version: '1.6.0' } } }),
      'npm/a.js': '',
      'yarn1/package.json': JSON.stringify({ dependencies: { redis: '^4.0.0' } }),
      'yarn1/yarn.lock': '# yarn lockfile v1\n\n"@redis/client@1.6.0":\n  version "1.6.0"\n\nioredis@^5.0.0:\n  version "5.3.2"\n\nredis@^4.0.0, redis@^4.6.0:\n  version "4.6.13"\n',
      'yarn1/a.js': '',
      'berry/yarn.lock': '__metadata:\n  version: 8\n\n"ioredis@npm:^5.0.0":\n  version: 5.4.2\n  resolution: "ioredis@npm:5.4.2"\n',
      'berry/a.js': '',
      'pnpm/pnpm-lock.yaml': "lockfileVersion: '9.0'\n\npackages:\n\n  '@redis/client@1.6.0':\n    resolution: {integrity: sha512-x}\n\n  ioredis@5.4.1:\n    resolution: {integrity: sha512-y}\n\n  redis@4.7.0:\n    resolution: {integrity: sha512-z}\n",
      'pnpm/a.js': '',
      'poetry/pyproject.toml': '[tool.poetry.dependencies]\nredis = "^5.0"\n',
      'poetry/poetry.lock': '[[package]]\nname = "hiredis"\nversion = "2.3.2"\n\n[[package]]\nname = "redis"\nversion = "5.2.1"\ndescription = "Python client for Redis"\n',
      'poetry/m.py': '',
      'pipenv/Pipfile.lock': JSON.stringify({ _meta: {}, default: { redis: { version: '==5.0.8' } }, develop: {} }),
      'pipenv/m.py': '',
      'go/go.sum': 'github.com/redis/go-redis/v9 v9.5.1 h1:a=\ngithub.com/redis/go-redis/v9 v9.5.1/go.mod h1:b=\ngithub.com/redis/go-redis/v9 v9.11.0 h1:c=\ngithub.com/redis/go-redis/v9 v9.20.0/go.mod h1:d=\n',
      'go/s.go': '',
      'gradle/build.gradle': "dependencies {\n  implementation 'redis.clients:jedis:5.+'\n}\n",
      'gradle/gradle.lockfile': '# This is a Gradle generated file\nredis.clients:jedis:5.2.0=compileClasspath,runtimeClasspath\nempty=\n',
      'gradle/B.java': '',
    });
    const m = new Manifests(dir);
    const v = (file: string, lib: Parameters<Manifests['versionOf']>[1]) => {
      const d = m.versionOf(file, lib);
      return d && `${d.spec} ${d.manifest}`;
    };
    assert.equal(v('npm/a.js', 'ioredis'), '5.4.1 npm/package-lock.json');
    assert.equal(v('npm/a.js', 'node-redis'), '4.7.0 npm/package-lock.json', 'the redis package, not @redis/client');
    assert.equal(v('yarn1/a.js', 'node-redis'), '4.6.13 yarn1/yarn.lock');
    assert.equal(v('yarn1/a.js', 'ioredis'), '5.3.2 yarn1/yarn.lock');
    assert.equal(v('berry/a.js', 'ioredis'), '5.4.2 berry/yarn.lock');
    assert.equal(v('pnpm/a.js', 'ioredis'), '5.4.1 pnpm/pnpm-lock.yaml');
    assert.equal(v('pnpm/a.js', 'node-redis'), '4.7.0 pnpm/pnpm-lock.yaml');
    assert.equal(v('poetry/m.py', 'redis-py'), '5.2.1 poetry/poetry.lock');
    assert.equal(v('pipenv/m.py', 'redis-py'), '5.0.8 pipenv/Pipfile.lock');
    assert.equal(v('go/s.go', 'go-redis'), 'v9.11.0 go/go.sum', 'the highest version whose code (not only go.mod) is hashed');
    assert.equal(v('gradle/B.java', 'jedis'), '5.2.0 gradle/gradle.lockfile');
    assert.equal(m.versionOf('npm/a.js', 'ioredis')?.lower?.join('.'), '5.4.1');
  });
});
