#!/usr/bin/env node
// Runs the two big Node.js Redis clients, node-redis (package "redis") 6.x and
// ioredis 6.x, in their default mode against one server and checks what they
// return. Both open every connection with HELLO 3 (RESP3) and pipeline
// CLIENT SETINFO after it, so this proves the server's handshake and its RESP3
// replies (maps, sets, nulls, push frames) work for them unchanged.
//
//   node resp3_clients.mjs --port 6379 [--host 127.0.0.1] [--timeout 60]
//
// Prints one line per check ("ok ..." or "FAIL ...") and a closing
// "N passed, N failed"; exits 0 only when every check passed, 1 otherwise and
// 2 when the whole run exceeds --timeout seconds. The same expectations hold
// for Redis 7.0 (redis-server is the oracle), so a check that fails there is a
// bug in this script, not in the server under test.
//
// The password checks set requirepass with CONFIG SET and clear it again at
// the end, so run it against a server of its own.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClient, ErrorReply, RESP_TYPES } from 'redis';
import { Redis } from 'ioredis';

const { values: opts } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string' },
    timeout: { type: 'string', default: '60' },
  },
});
if (!opts.port) {
  console.error('usage: node resp3_clients.mjs --port PORT [--host HOST] [--timeout SECONDS]');
  process.exit(2);
}
const host = opts.host;
const port = Number(opts.port);
const PASSWORD = 'erdtree-node-secret';
const STEP_MS = 5000;  // connect and command timeout of every client

// The whole run is bounded: a server that never answers cannot hang it.
const watchdog = setTimeout(() => {
  console.log(`FAIL run exceeded ${opts.timeout}s; giving up`);
  process.exit(2);
}, Number(opts.timeout) * 1000);

let passed = 0;
let failed = 0;
const open = [];  // every client made, quit or disconnected at the end

async function check(name, fn) {
  let timer;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('check timed out')), 3 * STEP_MS); }),
    ]);
    passed++;
    console.log(`ok   ${name}`);
  } catch (err) {
    failed++;
    const text = err instanceof assert.AssertionError ? err.message.split('\n').join('\n       ') : String(err?.stack ?? err);
    console.log(`FAIL ${name}: ${text}`);
  } finally {
    clearTimeout(timer);
  }
}

// Decoded RESP3 maps are plain objects; compare them by value, not prototype.
function plain(v) {
  if (Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [plain(k), plain(x)]));
  if (v instanceof Set) return new Set([...v].map(plain));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}
const same = (actual, expected, msg) => assert.deepStrictEqual(plain(actual), expected, msg);
const sorted = (a) => [...a].sort();

// Waits for `count` calls of the returned `push` callback (or times out).
function collector(count, what) {
  const got = [];
  let done;
  const promise = new Promise((resolve, reject) => {
    done = resolve;
    setTimeout(() => reject(new Error(`${what}: got ${JSON.stringify(got)} after ${STEP_MS}ms`)), STEP_MS);
  });
  return {
    got,
    promise,
    push: (item) => { got.push(item); if (got.length >= count) done(got); },
  };
}

// Runs fn and returns its rejection; fails when it does not reject.
async function rejection(fn) {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error, but it succeeded');
}

// CLIENT INFO / CLIENT LIST line as fields.
function clientFields(line) {
  return Object.fromEntries([...String(line).matchAll(/([^\s=]+)=([^\s]*)/g)].map((m) => [m[1], m[2]]));
}

// ---------------------------------------------------------------- node-redis
function nodeRedis(extra = {}) {
  const c = createClient({
    socket: { host, port, connectTimeout: STEP_MS, reconnectStrategy: false },
    commandOptions: { timeout: STEP_MS },
    ...extra,
  });
  c.on('error', () => {});  // surfaced through the rejected promises instead
  open.push(c);
  return c;
}

async function nodeRedisChecks() {
  const P = 'node-redis';
  const k = (s) => `nr:${s}`;
  const c = nodeRedis();
  await check(`${P}: connect (HELLO 3, CLIENT SETINFO pipelined)`, async () => {
    await c.connect();
    const info = clientFields(await c.sendCommand(['CLIENT', 'INFO']));
    same(info.resp, '3', 'the connection speaks RESP3');
  });
  await check(`${P}: HELLO reply is a RESP3 map`, async () => {
    const hello = await c.hello(3);
    same(hello.server, 'redis');
    same(hello.proto, 3);
    same(hello.mode, 'standalone');
    same(hello.role, 'master');
    same(hello.modules, []);
    assert.equal(typeof hello.id, 'number');
    assert.match(String(hello.version), /^\d+\.\d+\.\d+$/);
  });
  await check(`${P}: PING`, async () => {
    same(await c.ping(), 'PONG');
    same(await c.ping('hi'), 'hi');
  });
  await check(`${P}: SET/GET/INCR and a RESP3 null`, async () => {
    await c.del([k('str'), k('n'), k('missing')]);
    same(await c.set(k('str'), 'hello'), 'OK');
    same(await c.get(k('str')), 'hello');
    same(await c.get(k('missing')), null);
    same(await c.incr(k('n')), 1);
    same(await c.incrBy(k('n'), 41), 42);
    same(await c.set(k('str'), 'x', { condition: 'NX' }), null);
    same(await c.mGet([k('str'), k('missing'), k('n')]), ['hello', null, '42']);
  });
  await check(`${P}: EXPIRE/TTL/PERSIST`, async () => {
    same(await c.expire(k('str'), 100), 1);
    const ttl = await c.ttl(k('str'));
    assert.ok(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
    same(await c.pTTL(k('missing')), -2);
    same(await c.persist(k('str')), 1);
    same(await c.ttl(k('str')), -1);
    same(await c.expire(k('missing'), 100), 0);
  });
  await check(`${P}: MULTI/EXEC`, async () => {
    await c.del(k('tx'));
    const res = await c.multi().set(k('tx'), '1').incr(k('tx')).get(k('tx')).hSet(k('txh'), 'f', 'v').exec();
    same(res, ['OK', 2, '2', 1]);
    await c.del(k('txh'));
  });
  await check(`${P}: MULTI/EXEC with a command error inside`, async () => {
    await c.set(k('tx'), 'text');
    const err = await rejection(() => c.multi().incr(k('tx')).get(k('tx')).exec());
    // node-redis rejects with a MultiErrorReply carrying each reply.
    same(err.constructor.name, 'MultiErrorReply');
    same(err.errorIndexes, [0]);
    same(err.replies[0].message, 'ERR value is not an integer or out of range');
    same(err.replies[1], 'text');
  });
  await check(`${P}: pipeline (sent together, no MULTI)`, async () => {
    const res = await c.multi().set(k('p1'), 'a').set(k('p2'), 'b').mGet([k('p1'), k('p2')]).execAsPipeline();
    same(res, ['OK', 'OK', ['a', 'b']]);
    const many = await Promise.all(Array.from({ length: 50 }, (_, i) => c.set(k(`many${i}`), String(i))));
    same(many, Array(50).fill('OK'));
  });
  await check(`${P}: HSET/HGETALL (RESP3 map -> object)`, async () => {
    await c.del(k('h'));
    same(await c.hSet(k('h'), { f1: 'v1', f2: '2' }), 2);
    same(await c.hGetAll(k('h')), { f1: 'v1', f2: '2' });
    same(await c.hGetAll(k('nohash')), {});
    same(await c.hIncrBy(k('h'), 'f2', 40), 42);
    same(await c.hmGet(k('h'), ['f1', 'nofield']), ['v1', null]);
    const asMap = await c.withTypeMapping({ [RESP_TYPES.MAP]: Map }).hGetAll(k('h'));
    assert.ok(asMap instanceof Map, 'typeMapping MAP: Map gives a Map, so the reply was a RESP3 map');
    same(asMap, new Map([['f1', 'v1'], ['f2', '42']]));
  });
  await check(`${P}: SADD/SMEMBERS (RESP3 set)`, async () => {
    await c.del([k('s'), k('s2')]);
    same(await c.sAdd(k('s'), ['a', 'b', 'c']), 3);
    same(await c.sAdd(k('s2'), ['b', 'c', 'd']), 3);
    same(sorted(await c.sMembers(k('s'))), ['a', 'b', 'c']);
    same(sorted(await c.sInter([k('s'), k('s2')])), ['b', 'c']);
    same(await c.sIsMember(k('s'), 'a'), 1);
    const asSet = await c.withTypeMapping({ [RESP_TYPES.SET]: Set }).sMembers(k('s'));
    assert.ok(asSet instanceof Set, 'typeMapping SET: Set gives a Set, so the reply was a RESP3 set');
    same(asSet, new Set(['a', 'b', 'c']));
  });
  await check(`${P}: LPUSH/LRANGE/LPOP`, async () => {
    await c.del(k('l'));
    same(await c.lPush(k('l'), ['a', 'b', 'c']), 3);
    same(await c.rPush(k('l'), 'z'), 4);
    same(await c.lRange(k('l'), 0, -1), ['c', 'b', 'a', 'z']);
    same(await c.lPop(k('l')), 'c');
    same(await c.lPopCount(k('l'), 2), ['b', 'a']);
    same(await c.lPop(k('nolist')), null);
  });
  await check(`${P}: INCRBYFLOAT/HINCRBYFLOAT`, async () => {
    await c.del([k('f'), k('hf')]);
    same(await c.incrByFloat(k('f'), 1.5), '1.5');
    same(await c.incrByFloat(k('f'), 0.25), '1.75');
    same(await c.incrByFloat(k('f'), -1.75), '0');
    same(await c.hIncrByFloat(k('hf'), 'x', 3.0e3), '3000');
  });
  await check(`${P}: SCAN/HSCAN/SSCAN iterators, TYPE, CONFIG GET (map), INFO (verbatim)`, async () => {
    const keys = [];
    for await (const batch of c.scanIterator({ MATCH: k('many*'), COUNT: 10 })) keys.push(...batch);
    same(keys.length, 50);
    same(new Set(keys).size, 50);
    const fields = [];
    for await (const batch of c.hScanIterator(k('h'))) fields.push(...batch);
    same(fields.map((e) => `${e.field}=${e.value}`).sort(), ['f1=v1', 'f2=42']);
    const members = [];
    for await (const batch of c.sScanIterator(k('s'))) members.push(...batch);
    same(sorted(members), ['a', 'b', 'c']);
    same([await c.type(k('h')), await c.type(k('s')), await c.type(k('missing'))], ['hash', 'set', 'none']);
    same(await c.exists([k('h'), k('s'), k('missing')]), 2);
    same(await c.configGet('maxmemory-policy'), { 'maxmemory-policy': 'noeviction' });
    const info = await c.info('server');
    assert.equal(typeof info, 'string');
    assert.match(info, new RegExp(`\\r\\ntcp_port:${port}\\r\\n`));
  });
  await check(`${P}: error replies keep Redis's text`, async () => {
    await c.set(k('str'), 'hello');
    let err = await rejection(() => c.incr(k('str')));
    assert.ok(err instanceof ErrorReply, `${err.constructor.name} is an ErrorReply`);
    same(err.message, 'ERR value is not an integer or out of range');
    err = await rejection(() => c.hGet(k('str'), 'f'));
    same(err.message, 'WRONGTYPE Operation against a key holding the wrong kind of value');
    err = await rejection(() => c.sendCommand(['NOSUCHCOMMAND', 'x']));
    same(err.message, "ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' ");
    same(await c.ping(), 'PONG', 'the connection is still usable');
  });
  await check(`${P}: CLIENT SETNAME/GETNAME/INFO/ID`, async () => {
    same(await c.clientSetName('nr-main'), 'OK');
    same(await c.clientGetName(), 'nr-main');
    const info = await c.clientInfo();
    same(info.name, 'nr-main');
    same(info.id, await c.clientId());
    same(info.db, 0);
    same(info.resp, 3);
    const err = await rejection(() => c.clientSetName('has space'));
    same(err.message, 'ERR Client names cannot contain spaces, newlines or special characters.');
  });
  await check(`${P}: name and database options (HELLO 3 SETNAME, SELECT)`, async () => {
    const d = nodeRedis({ name: 'nr-named', database: 2 });
    await d.connect();
    same(await d.clientGetName(), 'nr-named');
    const info = await d.clientInfo();
    same([info.name, info.db, info.resp], ['nr-named', 2, 3]);
    await d.set(k('db2'), 'in-db2');
    same(await c.get(k('db2')), null, 'not in db 0');
    await d.del(k('db2'));
    await d.quit();
  });
  await check(`${P}: pub/sub via RESP3 push frames`, async () => {
    const sub = c.duplicate();
    sub.on('error', () => {});
    open.push(sub);
    await sub.connect();
    const messages = collector(3, 'messages');
    await sub.subscribe(k('news'), (message, channel) => messages.push(['message', channel, message]));
    await sub.pSubscribe(k('new*'), (message, channel) => messages.push(['pmessage', channel, message]));
    // RESP3 lets the subscribed connection run ordinary commands too.
    same(await sub.ping(), 'PONG');
    same(await sub.get(k('str')), 'hello');
    same(await c.pubSubNumSub(k('news')), { [k('news')]: 1 });
    same(await c.publish(k('news'), 'hello'), 2);
    same(await c.publish(k('newt'), 'pattern-only'), 1);
    await messages.promise;
    same(sorted(messages.got.map((m) => m.join('|'))), sorted([
      `message|${k('news')}|hello`, `pmessage|${k('news')}|hello`, `pmessage|${k('newt')}|pattern-only`,
    ]));
    await sub.unsubscribe(k('news'));
    await sub.pUnsubscribe(k('new*'));
    same(await c.publish(k('news'), 'nobody'), 0);
    same(await sub.ping(), 'PONG');
    await sub.quit();
  });
}

// -------------------------------------------------------------------- ioredis
function ioredis(extra = {}) {
  const r = new Redis({
    host,
    port,
    lazyConnect: true,
    connectTimeout: STEP_MS,
    commandTimeout: STEP_MS,
    retryStrategy: () => null,  // no reconnect loop: a failure is final
    maxRetriesPerRequest: 0,
    ...extra,
  });
  r.errors = [];  // 'error' events: the reason a connection was closed
  r.on('error', (err) => r.errors.push(err.message));
  open.push(r);
  return r;
}

async function ioredisChecks() {
  const P = 'ioredis';
  const k = (s) => `io:${s}`;
  const r = ioredis();
  await check(`${P}: connect (HELLO 3, CLIENT SETINFO, INFO ready check)`, async () => {
    await r.connect();
    same(r.status, 'ready');
    same(clientFields(await r.client('INFO')).resp, '3', 'the connection speaks RESP3 (no downgrade to RESP2)');
  });
  await check(`${P}: PING`, async () => {
    same(await r.ping(), 'PONG');
    same(await r.ping('hi'), 'hi');
  });
  await check(`${P}: SET/GET/INCR and a RESP3 null`, async () => {
    await r.del(k('str'), k('n'), k('missing'));
    same(await r.set(k('str'), 'hello'), 'OK');
    same(await r.get(k('str')), 'hello');
    same(await r.get(k('missing')), null);
    same(await r.incr(k('n')), 1);
    same(await r.incrby(k('n'), 41), 42);
    same(await r.set(k('str'), 'x', 'NX'), null);
    same(await r.mget(k('str'), k('missing'), k('n')), ['hello', null, '42']);
    same(await r.getBuffer(k('str')), Buffer.from('hello'));
  });
  await check(`${P}: EXPIRE/TTL/PERSIST`, async () => {
    same(await r.expire(k('str'), 100), 1);
    const ttl = await r.ttl(k('str'));
    assert.ok(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
    same(await r.pttl(k('missing')), -2);
    same(await r.persist(k('str')), 1);
    same(await r.ttl(k('str')), -1);
  });
  await check(`${P}: MULTI/EXEC`, async () => {
    await r.del(k('tx'));
    same(await r.multi().set(k('tx'), '1').incr(k('tx')).get(k('tx')).exec(), [[null, 'OK'], [null, 2], [null, '2']]);
    await r.set(k('tx'), 'text');
    const res = await r.multi().incr(k('tx')).get(k('tx')).exec();
    same(res[0][0].message, 'ERR value is not an integer or out of range');
    same(res[1], [null, 'text']);
  });
  await check(`${P}: WATCH aborts EXEC (null reply)`, async () => {
    const other = ioredis();
    await other.connect();
    await r.watch(k('tx'));
    await other.set(k('tx'), 'changed');
    same(await r.multi().set(k('tx'), 'mine').exec(), null);
    same(await r.get(k('tx')), 'changed');
    other.disconnect();
  });
  await check(`${P}: pipeline`, async () => {
    const res = await r.pipeline().set(k('p1'), 'a').incr(k('p1')).set(k('p2'), 'b').mget(k('p1'), k('p2')).exec();
    same(res[0], [null, 'OK']);
    same(res[1][0].message, 'ERR value is not an integer or out of range');
    same(res.slice(2), [[null, 'OK'], [null, ['a', 'b']]]);
  });
  await check(`${P}: HSET/HGETALL (RESP3 map -> object)`, async () => {
    await r.del(k('h'));
    same(await r.hset(k('h'), { f1: 'v1', f2: '2' }), 2);
    same(await r.hgetall(k('h')), { f1: 'v1', f2: '2' });
    same(await r.hgetall(k('nohash')), {});
    same(await r.hincrby(k('h'), 'f2', 40), 42);
    same(await r.hmget(k('h'), 'f1', 'nofield'), ['v1', null]);
  });
  await check(`${P}: SADD/SMEMBERS (RESP3 set)`, async () => {
    await r.del(k('s'), k('s2'));
    same(await r.sadd(k('s'), 'a', 'b', 'c'), 3);
    same(await r.sadd(k('s2'), 'b', 'c', 'd'), 3);
    same(sorted(await r.smembers(k('s'))), ['a', 'b', 'c']);
    same(sorted(await r.sinter(k('s'), k('s2'))), ['b', 'c']);
    same(await r.sismember(k('s'), 'a'), 1);
  });
  await check(`${P}: LPUSH/LRANGE/LPOP`, async () => {
    await r.del(k('l'));
    same(await r.lpush(k('l'), 'a', 'b', 'c'), 3);
    same(await r.rpush(k('l'), 'z'), 4);
    same(await r.lrange(k('l'), 0, -1), ['c', 'b', 'a', 'z']);
    same(await r.lpop(k('l')), 'c');
    same(await r.lpop(k('l'), 2), ['b', 'a']);
    same(await r.lpop(k('nolist')), null);
  });
  await check(`${P}: INCRBYFLOAT/HINCRBYFLOAT`, async () => {
    await r.del(k('f'), k('hf'));
    same(await r.incrbyfloat(k('f'), 1.5), '1.5');
    same(await r.incrbyfloat(k('f'), '0.25'), '1.75');
    same(await r.hincrbyfloat(k('hf'), 'x', 3.0e3), '3000');
  });
  await check(`${P}: scanStream/hscanStream/sscanStream, TYPE, CONFIG GET`, async () => {
    await r.del(k('scan'));
    await r.mset(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [k(`scan${i}`), String(i)])));
    const streamed = async (stream) => {
      const out = [];
      for await (const batch of stream) out.push(...batch);
      return out;
    };
    const keys = await streamed(r.scanStream({ match: k('scan*'), count: 7 }));
    same(new Set(keys).size, 30);
    same(sorted(await streamed(r.hscanStream(k('h')))), sorted(['f1', 'v1', 'f2', '42']));
    same(sorted(await streamed(r.sscanStream(k('s')))), ['a', 'b', 'c']);
    same([await r.type(k('h')), await r.type(k('missing'))], ['hash', 'none']);
    same(await r.config('GET', 'maxmemory-policy'), ['maxmemory-policy', 'noeviction']);
  });
  await check(`${P}: error replies keep Redis's text`, async () => {
    await r.set(k('str'), 'hello');
    let err = await rejection(() => r.incr(k('str')));
    same(err.name, 'ReplyError');
    same(err.message, 'ERR value is not an integer or out of range');
    err = await rejection(() => r.hget(k('str'), 'f'));
    same(err.message, 'WRONGTYPE Operation against a key holding the wrong kind of value');
    err = await rejection(() => r.call('NOSUCHCOMMAND', 'x'));
    same(err.message, "ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' ");
    same(await r.ping(), 'PONG', 'the connection is still usable');
  });
  await check(`${P}: CLIENT SETNAME/GETNAME/INFO`, async () => {
    same(await r.client('SETNAME', 'io-main'), 'OK');
    same(await r.client('GETNAME'), 'io-main');
    const info = clientFields(await r.client('INFO'));
    same([info.name, info.db, info.resp], ['io-main', '0', '3']);
    same(info.id, String(await r.client('ID')));
    const list = await r.client('LIST');
    assert.ok(list.split('\n').some((line) => clientFields(line).name === 'io-main'), list);
  });
  await check(`${P}: connectionName and db options (CLIENT SETNAME, SELECT)`, async () => {
    const d = ioredis({ connectionName: 'io-named', db: 3 });
    await d.connect();
    const info = clientFields(await d.client('INFO'));
    same([info.name, info.db, info.resp], ['io-named', '3', '3']);
    await d.quit();
  });
  await check(`${P}: INFO (RESP3 verbatim string) parsed by the client`, async () => {
    const info = await r.info('server');
    assert.equal(typeof info, 'string');
    assert.match(info, /^# Server\r\n/);
    assert.match(info, new RegExp(`\\r\\ntcp_port:${port}\\r\\n`));
    assert.match(info, /\r\nredis_version:\d+\.\d+\.\d+\r\n/);
  });
  await check(`${P}: replyMapping "resp3" (maps as objects, sets as arrays)`, async () => {
    const m = ioredis({ replyMapping: 'resp3' });
    await m.connect();
    same(await m.hgetall(k('h')), { f1: 'v1', f2: '42' });
    same(sorted(await m.smembers(k('s'))), ['a', 'b', 'c']);
    const hello = await m.hello('3');
    same([hello.server, hello.proto, hello.mode, hello.role], ['redis', 3, 'standalone', 'master']);
    await m.quit();
  });
  await check(`${P}: pub/sub via RESP3 push frames`, async () => {
    const sub = ioredis();
    await sub.connect();
    const messages = collector(3, 'messages');
    sub.on('message', (channel, message) => messages.push(['message', channel, message]));
    sub.on('pmessage', (pattern, channel, message) => messages.push(['pmessage', channel, message]));
    same(await sub.subscribe(k('news')), 1);
    same(await sub.psubscribe(k('new*')), 2);
    same(await sub.ping(), 'PONG');
    same(await r.pubsub('NUMSUB', k('news')), [k('news'), 1]);
    same(await r.publish(k('news'), 'hello'), 2);
    same(await r.publish(k('newt'), 'pattern-only'), 1);
    await messages.promise;
    same(sorted(messages.got.map((m) => m.join('|'))), sorted([
      `message|${k('news')}|hello`, `pmessage|${k('news')}|hello`, `pmessage|${k('newt')}|pattern-only`,
    ]));
    same(await sub.unsubscribe(k('news')), 1);
    same(await sub.punsubscribe(), 0);
    same(await r.publish(k('news'), 'nobody'), 0);
    same(await sub.get(k('str')), 'hello');
    await sub.quit();
  });
}

// ------------------------------------------------------------------ passwords
async function passwordChecks() {
  // Before requirepass: a password for the default user is accepted, as the
  // default user has nopass.
  await check('node-redis: password given to a server without requirepass', async () => {
    const c = nodeRedis({ password: 'anything' });
    await c.connect();
    same(await c.ping(), 'PONG');
    await c.quit();
  });
  const admin = nodeRedis();
  let set = false;
  try {
    await check('CONFIG SET requirepass', async () => {
      await admin.connect();
      same(await admin.configSet('requirepass', PASSWORD), 'OK');
      set = true;
      same(await admin.ping(), 'PONG', 'an already authenticated connection stays so');
    });
    if (!set) return;
    await check('node-redis: password (HELLO 3 AUTH default <pw>)', async () => {
      const c = nodeRedis({ password: PASSWORD, name: 'nr-auth' });
      await c.connect();
      same(await c.ping(), 'PONG');
      const info = await c.clientInfo();
      same([info.name, info.user, info.resp], ['nr-auth', 'default', 3]);
      await c.quit();
    });
    await check('node-redis: username and password', async () => {
      const c = nodeRedis({ username: 'default', password: PASSWORD });
      await c.connect();
      same(await c.ping(), 'PONG');
      await c.quit();
    });
    await check('node-redis: a failing HELLO fails the connection (wrong password)', async () => {
      const c = nodeRedis({ password: 'wrong' });
      const err = await rejection(() => c.connect());
      same(err.message, 'WRONGPASS invalid username-password pair or user is disabled.');
      assert.ok(!c.isReady);
    });
    await check('node-redis: a failing HELLO fails the connection (no password)', async () => {
      const c = nodeRedis();
      const err = await rejection(() => c.connect());
      assert.match(err.message, /^NOAUTH HELLO must be called with the client already authenticated/);
      assert.ok(!c.isReady);
    });
    await check('ioredis: password (HELLO 3 AUTH default <pw>)', async () => {
      const r = ioredis({ password: PASSWORD, connectionName: 'io-auth' });
      await r.connect();
      same(await r.ping(), 'PONG');
      const info = clientFields(await r.client('INFO'));
      same([info.name, info.user, info.resp], ['io-auth', 'default', '3']);
      await r.quit();
    });
    await check('ioredis: wrong password fails the connection', async () => {
      const r = ioredis({ password: 'wrong' });
      await rejection(() => r.connect());  // "Connection is closed."
      same(r.errors, ['WRONGPASS invalid username-password pair or user is disabled.']);
      assert.notEqual(r.status, 'ready');
    });
    await check('ioredis: no password fails the connection', async () => {
      const r = ioredis();
      await rejection(() => r.connect());
      same(r.errors.length, 1, JSON.stringify(r.errors));
      assert.match(r.errors[0], /^NOAUTH HELLO must be called with the client already authenticated/);
      assert.notEqual(r.status, 'ready');
    });
  } finally {
    if (set) await admin.configSet('requirepass', '').catch(() => {});
    await admin.quit().catch(() => {});
  }
}

async function closeAll() {
  for (const c of open) {
    try {
      if (c instanceof Redis) c.disconnect();
      else if (c.isOpen) await c.destroy();
    } catch { /* already closed */ }
  }
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url))).version;
  } catch {
    return '?';
  }
}
console.log(`# node-redis ${packageVersion('redis')}, ioredis ${packageVersion('ioredis')}, ` +
  `node ${process.version}, server ${host}:${port}`);
try {
  await nodeRedisChecks();
  await ioredisChecks();
  await passwordChecks();
} catch (err) {
  failed++;
  console.log(`FAIL unexpected: ${err?.stack ?? err}`);
}
await closeAll();
console.log(`${passed} passed, ${failed} failed`);
clearTimeout(watchdog);
process.exit(failed === 0 ? 0 : 1);
