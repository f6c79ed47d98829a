import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lowerBound, Manifests } from '../../server/src/index/manifests';
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
});
