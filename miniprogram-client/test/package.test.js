'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { harness } = require('../test-support/harness');

const ROOT = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

test("package.json's miniprogram directory holds the library and the component, as devtools' build npm copies it", () => {
  assert.equal(pkg.name, 'wxpush-miniprogram');
  const dir = path.join(ROOT, pkg.miniprogram);
  assert.ok(fs.statSync(dir).isDirectory(), pkg.miniprogram);
  for (const f of ['wxpush.js', 'index.js', 'components/wxpush-tap/index.js', 'components/wxpush-tap/index.json',
    'components/wxpush-tap/index.wxml', 'components/wxpush-tap/index.wxss']) {
    assert.ok(fs.existsSync(path.join(dir, f)), f);
  }
  // require('wxpush-miniprogram') in a mini-program finds index.js; in Node, main.
  const viaMain = require(path.join(ROOT, pkg.main));
  assert.equal(typeof viaMain.createWxpush, 'function');
  assert.equal(require(path.join(dir, 'index.js')), viaMain);
  assert.ok(path.join(ROOT, pkg.main).startsWith(dir + path.sep), 'main lies inside the miniprogram directory');
});

test('package.json ships src and types, runs the tests, and has no dependencies', () => {
  assert.ok(fs.existsSync(path.join(ROOT, pkg.types)), pkg.types);
  for (const f of ['src', 'types']) assert.ok(pkg.files.includes(f), f);
  assert.equal(pkg.scripts.test, 'node --test test/');
  assert.equal(typeof pkg.license, 'string');
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
    assert.equal(Object.keys(pkg[field] || {}).length, 0, field);
  }
});

test('the library requires only its own files (it runs in WeChat, not Node)', () => {
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.js')) files.push(path.join(d, e.name));
    }
  };
  walk(path.join(ROOT, 'src'));
  assert.ok(files.length >= 8);
  for (const f of files) {
    // Comments may mention require('wxpush-miniprogram'); only code counts.
    const src = fs.readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const m of src.matchAll(/require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      assert.ok(m[1].startsWith('./') || m[1].startsWith('../'), `${path.relative(ROOT, f)} requires ${m[1]}`);
      assert.doesNotThrow(() => require.resolve(path.resolve(path.dirname(f), m[1])), m[1]);
    }
  }
});

test('types/index.d.ts declares every export and every client method', () => {
  const dts = fs.readFileSync(path.join(ROOT, pkg.types), 'utf8');
  const exportsOf = require(path.join(ROOT, pkg.main));
  for (const name of Object.keys(exportsOf)) {
    assert.match(dts, new RegExp(`export (function|const) ${name}\\b`), name);
  }
  const h = harness();
  const clientBlock = dts.slice(dts.indexOf('export interface WxpushClient'), dts.indexOf('export function createWxpush'));
  for (const method of Object.keys(h.client)) {
    assert.match(clientBlock, new RegExp(`\\n  ${method}\\(`), `WxpushClient.${method}`);
  }
  // Every option createWxpush validates or reads is declared.
  for (const option of ['wx', 'baseUrl', 'appId', 'maxStored', 'batchSize', 'uploadThreshold', 'backoffBaseMs',
    'backoffMaxMs', 'requestTimeoutMs', 'storageKeyPrefix', 'longTermTemplateIds', 'onError']) {
    assert.match(dts, new RegExp(`\\n  ${option}\\??:`), option);
  }
  assert.match(dts, /interface WxpushTapEvent/);
});
