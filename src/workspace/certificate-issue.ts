/**
 * Making pcsim's CA and server certificate with the X.509 library: ECDSA P-256 keys, the CA valid
 * ten years, the server certificate 397 days for the given host names. Run in a child process by
 * certificate.ts when pcsim runs compiled (certificate-worker.ts).
 */
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

const DAY = 86_400_000;

/** PEM texts of a CA (its key too, to re-issue later) and of a server certificate and key. */
export interface Issued {
  ca: string;
  caKey: string;
  cert: string;
  key: string;
}

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

async function pemKey(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, EC, true, ['sign']);
}

/** ECDSA P-256 (fast to make, accepted by Node, Java and the ODBC/JDBC drivers). */
export async function issue(hosts: readonly string[], now: Date, ca?: { cert: string; key: string }): Promise<Issued> {
  await import('reflect-metadata'); // @peculiar/x509's dependency injection (tsyringe) needs it first
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const notBefore = new Date(now.getTime() - DAY);
  let caCert: InstanceType<typeof x509.X509Certificate>;
  let caKey: CryptoKey;
  let caKeyPem: string;
  if (ca) {
    caCert = new x509.X509Certificate(ca.cert);
    caKey = await importKey(ca.key);
    caKeyPem = ca.key;
  } else {
    const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
    caCert = await x509.X509CertificateGenerator.createSelfSigned({
      name: `CN=pcsim local workspace CA ${now.toISOString().slice(0, 10)}, O=pcsim`,
      keys,
      notBefore,
      notAfter: new Date(now.getTime() + 3650 * DAY),
      signingAlgorithm: SIGN,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    caKey = keys.privateKey;
    caKeyPem = await pemKey(keys.privateKey);
  }
  const leaf = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    subject: 'CN=pcsim workspace, O=pcsim',
    issuer: caCert.subject,
    publicKey: leaf.publicKey,
    signingKey: caKey,
    notBefore,
    // 397 days: the longest validity clients (Apple, Chrome) accept for a server certificate.
    notAfter: new Date(now.getTime() + 397 * DAY),
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        hosts.map((h) => ({ type: isIP(h) ? ('ip' as const) : ('dns' as const), value: h })),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return {
    ca: caCert.toString('pem'),
    caKey: caKeyPem,
    cert: cert.toString('pem'),
    key: await pemKey(leaf.privateKey),
  };
}
