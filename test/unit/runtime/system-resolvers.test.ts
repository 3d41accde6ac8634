// The nameservers of resolv.conf that nginx's resolver gets: IP addresses only, at most three, in order.
import { expect } from 'chai';
import { parseResolvConf, readSystemResolvers } from '../../../src/runtime/system-resolvers.js';

describe('system resolvers', () => {
  it('takes the nameserver addresses in order, skipping comments, options and anything that is not an IP', () => {
    const text = '# generated\nsearch default.svc.cluster.local svc.cluster.local\nnameserver 10.96.0.10\nnameserver  fd00::10 \nnameserver dns.example\nnameserver 10.96.0.10\noptions ndots:5\nnameserver 1.1.1.1\nnameserver 8.8.8.8\n';
    expect(parseResolvConf(text)).to.deep.equal(['10.96.0.10', 'fd00::10', '1.1.1.1']);
  });

  it('refuses what could become nginx syntax', () => {
    expect(parseResolvConf('nameserver 10.0.0.1;deny\nnameserver "x"\nnameserver 10.0.0.2 ; x')).to.deep.equal(['10.0.0.2']);
  });

  it('has none when the file cannot be read', () => {
    expect(readSystemResolvers('/nonexistent/resolv.conf')).to.deep.equal([]);
  });
});
