// A throw-away self-signed certificate for 127.0.0.1 and localhost, made with the system openssl
// (node:crypto can parse certificates but cannot issue one).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface TestCert {
  certFile: string;
  keyFile: string;
  cert: string;
}

export function selfSignedCert(dir: string, name = 'server'): TestCert {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'pipe' });
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8') };
}
