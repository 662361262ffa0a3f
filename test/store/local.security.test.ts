import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isEngineError } from '../../src/engine/errors';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { listAll } from '../../src/engine/store/objectStore';

const bytes = (s: string) => new TextEncoder().encode(s);

/** Every file and directory under `dir`, relative, sorted (symlinks not followed). */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      out.push(e.isDirectory() ? `${r}/` : r);
      if (e.isDirectory()) walk(path.join(d, e.name), r);
    }
  };
  walk(dir, '');
  return out.sort();
}

function isOutsideRoot(key: string) {
  return (e: unknown) => {
    assert.ok(isEngineError(e, 'PATH_OUTSIDE_ROOT'), `expected PATH_OUTSIDE_ROOT for ${JSON.stringify(key)}, got ${String(e)}`);
    assert.ok(e.message.includes(JSON.stringify(key)), `message should name the key: ${e.message}`);
    return true;
  };
}

describe('LocalObjectStore confinement to its root', function () {
  let tmp: string;
  let root: string;
  let outside: string;
  let store: LocalObjectStore;

  beforeEach(async () => {
    tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'localstore-sec-'));
    root = path.join(tmp, 'root');
    outside = path.join(tmp, 'outside');
    fs.mkdirSync(path.join(root, 'inside'), { recursive: true });
    fs.mkdirSync(path.join(root, 'a'));
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
    fs.writeFileSync(path.join(root, 'inside', 'ok.txt'), 'ok');
    fs.symlinkSync(outside, path.join(root, 'link')); // directory symlink leading out
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'filelink')); // file symlink leading out
    fs.symlinkSync(path.join(root, 'inside'), path.join(root, 'inlink')); // stays inside: allowed
    store = new LocalObjectStore(root);
  });

  afterEach(() => fs.promises.rm(tmp, { recursive: true, force: true }));

  const lexicalEscapes = ['../x', '../outside/secret.txt', '/etc/passwd', 'a/../../x', 'a\\..\\x', '..', '.', './a', 'a/./b', 'a/.', 'a//b', 'a/', '', 'a\0b'];
  const symlinkEscapes = ['link/secret.txt', 'link/new.txt', 'link/deeper/new.txt', 'filelink'];

  for (const key of [...lexicalEscapes, ...symlinkEscapes]) {
    it(`refuses ${JSON.stringify(key)} for get, head, putIfAbsent and delete, writing nothing outside`, async () => {
      const outsideBefore = snapshot(outside);
      const tmpBefore = fs.readdirSync(tmp).sort();
      await assert.rejects(store.get(key), isOutsideRoot(key));
      await assert.rejects(store.head(key), isOutsideRoot(key));
      await assert.rejects(store.putIfAbsent(key, bytes('pwned')), isOutsideRoot(key));
      await assert.rejects(store.delete(key), isOutsideRoot(key));
      assert.deepEqual(snapshot(outside), outsideBefore);
      assert.deepEqual(fs.readdirSync(tmp).sort(), tmpBefore);
      assert.equal(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8'), 'secret');
    });
  }

  for (const prefix of ['../', '/etc', '/', 'a/../../', 'a/../', 'a\\..\\', './', 'a//', 'link/', 'link/sec', 'link/deeper/']) {
    it(`refuses to list prefix ${JSON.stringify(prefix)}`, async () => {
      await assert.rejects(store.listPage({ prefix }), isOutsideRoot(prefix));
    });
  }

  it('a prefix whose partial name is ".." only matches names that start with ".."', async () => {
    assert.equal((await store.putIfAbsent('..hidden', bytes('h'))).created, true);
    assert.ok(fs.existsSync(path.join(root, '..hidden')));
    assert.deepEqual(
      (await store.listPage({ prefix: '..' })).objects.map((o) => o.key),
      ['..hidden'],
    );
  });

  it('refuses a listing that would walk through a symlink leading outside', async () => {
    await assert.rejects(store.listPage({}), (e: unknown) => isEngineError(e, 'PATH_OUTSIDE_ROOT'));
    await assert.rejects(store.listPage({ delimiter: '/' }), (e: unknown) => isEngineError(e, 'PATH_OUTSIDE_ROOT'));
    await assert.rejects(store.listPage({ prefix: 'l' }), (e: unknown) => isEngineError(e, 'PATH_OUTSIDE_ROOT'));
    await assert.rejects(store.listPage({ prefix: 'filel' }), (e: unknown) => isEngineError(e, 'PATH_OUTSIDE_ROOT'));
  });

  it('follows symlinks that stay inside the root', async () => {
    assert.equal(Buffer.from((await store.get('inlink/ok.txt'))!.bytes).toString(), 'ok');
    assert.equal((await store.head('inlink/ok.txt'))!.size, 2);
    assert.deepEqual(
      (await store.listPage({ prefix: 'inlink/' })).objects.map((o) => o.key),
      ['inlink/ok.txt'],
    );
    assert.equal((await store.putIfAbsent('inlink/new.txt', bytes('n'))).created, true);
    assert.equal(fs.readFileSync(path.join(root, 'inside', 'new.txt'), 'utf8'), 'n');
  });

  it('does not create directories through a symlink leading outside', async () => {
    await assert.rejects(store.putIfAbsent('link/x/y/z', bytes('z')), isOutsideRoot('link/x/y/z'));
    assert.deepEqual(snapshot(outside), ['secret.txt']);
  });
});

describe('LocalObjectStore file layout', function () {
  let tmp: string;
  let root: string;
  let store: LocalObjectStore;

  beforeEach(async () => {
    tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'localstore-layout-'));
    root = path.join(tmp, 'root');
    store = new LocalObjectStore(root);
  });

  afterEach(() => fs.promises.rm(tmp, { recursive: true, force: true }));

  it('describes itself as a file:// URL of its root', () => {
    assert.equal(store.description, `file://${root}`);
  });

  it('refuses a relative root', () => {
    assert.throws(() => new LocalObjectStore('relative/dir'), (e: unknown) => isEngineError(e, 'INVALID_ARGUMENT'));
  });

  it('treats a missing root as empty, and the first write creates it', async () => {
    assert.equal(await store.get('x/1'), undefined);
    assert.deepEqual(await store.listPage({ prefix: 'x/', delimiter: '/' }), { objects: [], commonPrefixes: [] });
    await store.delete('x/1');
    assert.equal(fs.existsSync(root), false);
    assert.equal((await store.putIfAbsent('x/1', bytes('1'))).created, true);
    assert.equal(fs.readFileSync(path.join(root, 'x', '1'), 'utf8'), '1');
  });

  it('leaves no staging file behind after a create or a lost race', async () => {
    await store.putIfAbsent('db/manifest/00000000000000000001.manifest', bytes('a'));
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.putIfAbsent('db/manifest/00000000000000000002.manifest', bytes(`b${i}`))));
    assert.deepEqual(fs.readdirSync(path.join(root, 'db', 'manifest')).sort(), [
      '00000000000000000001.manifest',
      '00000000000000000002.manifest',
    ]);
  });

  it('hides in-flight staging files (ours and SlateDB object_store\'s) from listings and refuses them as keys', async () => {
    await store.putIfAbsent('db/manifest/00000000000000000001.manifest', bytes('a'));
    const dir = path.join(root, 'db', 'manifest');
    fs.writeFileSync(path.join(dir, '.00000000000000000002.manifest.0123456789abcdef.tmp'), 'partial');
    fs.writeFileSync(path.join(dir, '00000000000000000002.manifest#1'), 'partial');
    const listed = await listAll(store, { prefix: 'db/' });
    assert.deepEqual(
      listed.objects.map((o) => o.key),
      ['db/manifest/00000000000000000001.manifest'],
    );
    for (const key of ['db/manifest/.00000000000000000002.manifest.0123456789abcdef.tmp', 'db/manifest/00000000000000000002.manifest#1']) {
      await assert.rejects(store.get(key), (e: unknown) => isEngineError(e, 'INVALID_ARGUMENT'));
      await assert.rejects(store.putIfAbsent(key, bytes('x')), (e: unknown) => isEngineError(e, 'INVALID_ARGUMENT'));
    }
  });

  it('never reports a directory as an object, and empty directories produce no common prefix', async () => {
    fs.mkdirSync(path.join(root, 'db', 'empty', 'nested'), { recursive: true });
    fs.mkdirSync(path.join(root, 'db', 'wal'), { recursive: true });
    await store.putIfAbsent('db/x', bytes('x'));
    assert.deepEqual(await store.listPage({ prefix: 'db/', delimiter: '/' }), {
      objects: (await store.listPage({ prefix: 'db/x' })).objects,
      commonPrefixes: [],
    });
    assert.deepEqual(
      (await listAll(store, {})).objects.map((o) => o.key),
      ['db/x'],
    );
    assert.equal(await store.head('db/empty'), undefined);
    assert.equal(await store.get('db/empty'), undefined);
    await store.delete('db/empty'); // not an object: nothing to delete, and the directory stays
    assert.ok(fs.statSync(path.join(root, 'db', 'empty')).isDirectory());
  });

  it('skips file names that are not UTF-8 (no S3 key can name them) but keeps a real U+FFFD', async () => {
    await store.putIfAbsent('n/ok', bytes('ok'));
    await store.putIfAbsent('n/real\uFFFDchar', bytes('r'));
    fs.writeFileSync(Buffer.concat([Buffer.from(path.join(root, 'n') + '/'), Buffer.from([0x62, 0xff, 0x63])]), 'bad');
    assert.deepEqual(
      (await listAll(store, { prefix: 'n/' })).objects.map((o) => o.key),
      ['n/ok', 'n/real\uFFFDchar'],
    );
  });

  it('reports a symlink loop inside the root instead of walking forever', async () => {
    await store.putIfAbsent('loop/x', bytes('x'));
    fs.symlinkSync(path.join(root, 'loop'), path.join(root, 'loop', 'again'));
    await assert.rejects(listAll(store, { prefix: 'loop/' }), (e: unknown) => isEngineError(e, 'STORE_ERROR') && /symlink loop/.test(e.message));
    // Reading through the loop by key is fine: it names one path.
    assert.equal(Buffer.from((await store.get('loop/again/again/x'))!.bytes).toString(), 'x');
  });

  it('reports a directory occupying the key as an error, not as "already exists"', async () => {
    fs.mkdirSync(path.join(root, 'db', 'manifest', '00000000000000000003.manifest'), { recursive: true });
    await assert.rejects(store.putIfAbsent('db/manifest/00000000000000000003.manifest', bytes('m')), (e: unknown) => isEngineError(e, 'STORE_ERROR'));
  });

  it('reports an object in the way of a directory as an error', async () => {
    await store.putIfAbsent('db/file', bytes('f'));
    await assert.rejects(store.putIfAbsent('db/file/under', bytes('u')), (e: unknown) => isEngineError(e, 'STORE_ERROR'));
  });

  it('a reader polling a key while a 20 MB putIfAbsent is in flight sees nothing or the full content, never a partial file', async function () {
    this.timeout(120_000);
    const size = 20 * 1024 * 1024;
    const content = new Uint8Array(size);
    for (let i = 0; i < size; i++) content[i] = (i * 31 + 7) & 0xff;
    const key = 'db/manifest/00000000000000000009.manifest';
    const finalPath = path.join(root, ...key.split('/'));
    await store.putIfAbsent('db/manifest/00000000000000000001.manifest', bytes('so the directory exists'));

    let done = false;
    let absent = 0;
    let full = 0;
    const partials: number[] = [];
    const poller = async () => {
      while (!done) {
        const got = await store.get(key);
        if (got === undefined) absent++;
        else if (got.bytes.byteLength === size && Buffer.from(got.bytes).equals(Buffer.from(content))) full++;
        else partials.push(got.bytes.byteLength);
        // The raw file, bypassing the store: the final name must never exist with fewer bytes.
        try {
          const st = await fs.promises.stat(finalPath);
          if (st.size !== size) partials.push(st.size);
        } catch {
          /* absent */
        }
        const listed = await store.listPage({ prefix: 'db/manifest/' });
        for (const o of listed.objects) if (o.key === key && o.size !== size) partials.push(o.size);
      }
    };
    const pollers = [poller(), poller(), poller()];
    const put = store.putIfAbsent(key, content);
    const result = await put;
    // One more round after completion so every poller sees the finished object.
    await new Promise((r) => setTimeout(r, 20));
    done = true;
    await Promise.all(pollers);
    assert.equal(result.created, true);
    assert.deepEqual(partials, [], `readers saw partial sizes ${partials.slice(0, 5).join(', ')}`);
    assert.ok(absent > 0, 'pollers should have observed the key before the write finished');
    assert.ok(full > 0, 'pollers should have observed the finished object');
  });
});
