// Issue 23, point 10: `serve` on an address in use exits 2 with one line, before it writes any file.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../../support/cli.js';
import { assertCanListen, listenErrorOf } from '../../../src/cli/listen-check.js';

async function occupied(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('serve on a port in use (issue 23)', () => {
  it('listen failures with a known cause become one line; anything else stays an error with its stack', () => {
    assert.equal(listenErrorOf(Object.assign(new Error('x'), { code: 'EACCES' }), '::', 443)?.message, 'cannot listen on [::]:443: permission denied (ports below 1024 need privileges)');
    assert.equal(listenErrorOf(new Error('other'), '::', 443), undefined);
  });

  it('exits 2 with one line naming the address, and writes no certificate', async (t) => {
    const { server, port } = await occupied();
    const parent = mkdtempSync(join(tmpdir(), 'serve-port-'));
    t.after(() => rmSync(parent, { recursive: true, force: true }));
    const certDir = join(parent, 'certs');
    try {
      const { code, stdout, stderr } = await cli(['serve', '--port', String(port), '--cert-dir', certDir]);
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.equal(stderr, `calico-ipv6-webhook: cannot listen on 127.0.0.1:${port}: the port is in use (is another serve running?)`);
      assert.throws(() => readdirSync(certDir), /ENOENT/, 'the certificate folder was not even created');
    } finally {
      server.close();
    }
  });

  it('a free port passes the check and stays free afterwards', async () => {
    const { server, port } = await occupied();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await assertCanListen('127.0.0.1', port);
    await assertCanListen('127.0.0.1', port);
  });
});
