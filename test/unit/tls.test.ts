// The simulators' TLS material: a CA and a server certificate that chain, shared safely by processes that start together.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ensureTlsMaterial } from '../simulators/tls';

const run = promisify(execFile);

function chains(certPem: string, caPem: string): boolean {
  const cert = new crypto.X509Certificate(certPem);
  const ca = new crypto.X509Certificate(caPem);
  return cert.checkIssued(ca) && cert.verify(ca.publicKey) && cert.checkIP('127.0.0.1') === '127.0.0.1';
}

describe('tls', () => {
  it('the server certificate for 127.0.0.1 is signed by the CA, and the set is reused while valid', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mde-tls-test-')), 'tls');
    const first = ensureTlsMaterial(dir);
    assert.ok(chains(first.certPem, first.caPem));
    assert.ok(new crypto.X509Certificate(first.caPem).ca);
    assert.equal(ensureTlsMaterial(dir).caPem, first.caPem);
  });

  it('processes that create the material at the same time all end up with one consistent set', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mde-tls-race-')), 'tls');
    const script = `const t = require(${JSON.stringify(require.resolve('../simulators/tls'))});
    const m = t.ensureTlsMaterial(${JSON.stringify(dir)}); process.stdout.write(JSON.stringify(m));`;
    const outputs = await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, ['-e', script])));
    const sets = outputs.map((o) => JSON.parse(o.stdout));
    const onDisk = ensureTlsMaterial(dir);
    for (const set of sets) {
      assert.ok(chains(set.certPem, set.caPem), 'each process got a certificate signed by its CA');
    }
    assert.ok(chains(onDisk.certPem, onDisk.caPem));
    assert.deepEqual(fs.readdirSync(path.dirname(dir)), ['tls'], 'no temporary folders left behind');
  });
});
