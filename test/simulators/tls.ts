// Test-only TLS material: a throwaway CA and a server certificate for 127.0.0.1/localhost signed by it.
// Clients trust the CA explicitly (an https.Agent `ca`, or NODE_EXTRA_CA_CERTS); TLS checks stay on.
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TlsMaterial {
  /** Directory holding ca.pem, server.pem and server.key. */
  dir: string;
  /** Path of the CA certificate (PEM) to trust. */
  caPath: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

const DAYS = 30;
const RENEW_BEFORE_MS = 2 * 24 * 3600 * 1000;

export function defaultTlsDir(): string {
  return process.env.MDE_SIM_TLS_DIR || path.join(os.tmpdir(), 'mde-actions-simulator-tls');
}

/** Reuses valid material in `dir` (so NODE_EXTRA_CA_CERTS can be set before a process starts), else makes new. */
export function ensureTlsMaterial(dir: string = defaultTlsDir()): TlsMaterial {
  const material = read(dir);
  if (usable(material)) {
    return material;
  }
  generate(dir);
  const fresh = read(dir);
  if (!fresh) {
    throw new Error(`could not create TLS material in ${dir}`);
  }
  return fresh;
}

function read(dir: string): TlsMaterial | undefined {
  const caPath = path.join(dir, 'ca.pem');
  try {
    return {
      dir,
      caPath,
      caPem: fs.readFileSync(caPath, 'utf8'),
      certPem: fs.readFileSync(path.join(dir, 'server.pem'), 'utf8'),
      keyPem: fs.readFileSync(path.join(dir, 'server.key'), 'utf8'),
    };
  } catch {
    return undefined;
  }
}

function usable(material: TlsMaterial | undefined): material is TlsMaterial {
  return !!material && stillValid(material.certPem) && stillValid(material.caPem);
}

function stillValid(pem: string): boolean {
  try {
    const cert = new crypto.X509Certificate(pem);
    return new Date(cert.validTo).getTime() - Date.now() > RENEW_BEFORE_MS;
  } catch {
    return false;
  }
}

function generate(dir: string): void {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  // Build the whole set beside `dir` and rename the folder into place in one step, so a process that races us
  // (two test files starting at once) sees either no set or a complete one, never a CA from one run and a
  // certificate from another.
  const work = fs.mkdtempSync(`${dir}.tmp-`);
  const file = (name: string) => path.join(work, name);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    openssl(['req', '-x509', ...ecKey, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', String(DAYS),
      '-subj', '/CN=Defender Machine Actions Test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    openssl(['req', ...ecKey, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1']);
    fs.writeFileSync(file('ext.cnf'), [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
    ].join('\n'));
    openssl(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'),
      '-CAcreateserial', '-out', file('server.pem'), '-days', String(DAYS), '-extfile', file('ext.cnf')]);
    if (fs.existsSync(dir) && !usable(read(dir))) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    fs.renameSync(work, dir);
  } catch (error) {
    // The rename fails when another process put its complete set into place first: use that one.
    if (!usable(read(dir))) {
      throw error;
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
