import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeadroomError } from '../errors.ts';
import { assertLoopbackTarget, isLoopbackAddress, parseTargetUrl } from './guard.ts';

const resolver =
  (table: Record<string, string[]>) =>
  async (host: string): Promise<string[]> => {
    const found = table[host];
    if (!found)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found;
  };

async function refusal(url: string, resolve = resolver({})): Promise<HeadroomError> {
  try {
    await assertLoopbackTarget(new URL(url), { allowRemote: false, resolve });
  } catch (err) {
    assert.ok(err instanceof HeadroomError);
    return err;
  }
  assert.fail(`${url} was allowed`);
}

describe('isLoopbackAddress', () => {
  const cases: [string, boolean][] = [
    ['127.0.0.1', true],
    ['127.255.3.4', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false],
    ['128.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['::2', false],
    ['fe80::1', false],
    ['localhost', false], // a name, not an address
  ];
  for (const [address, loopback] of cases) {
    it(`${address} is ${loopback ? '' : 'not '}loopback`, () => {
      assert.equal(isLoopbackAddress(address), loopback);
    });
  }
});

describe('assertLoopbackTarget', () => {
  it('allows 127.0.0.0/8, [::1] and localhost without resolving anything', async () => {
    const never = async (): Promise<string[]> => assert.fail('resolved');
    for (const url of [
      'http://127.0.0.1:3000/',
      'http://127.1.2.3/',
      'http://[::1]:8080/x',
      'https://localhost/',
    ]) {
      await assertLoopbackTarget(new URL(url), { allowRemote: false, resolve: never });
    }
  });

  it('allows a name that resolves only to loopback', async () => {
    await assertLoopbackTarget(new URL('http://api.test:3000/'), {
      allowRemote: false,
      resolve: resolver({ 'api.test': ['127.0.0.1', '::1'] }),
    });
  });

  it('refuses a remote address with LOADTEST_REMOTE and says how to allow it', async () => {
    const err = await refusal('http://10.1.2.3:3000/');
    assert.equal(err.code, 'LOADTEST_REMOTE');
    assert.equal(err.exitCode, 3);
    assert.match(err.hint ?? '', /--allow-remote/);
  });

  it('refuses a name with one address outside loopback, naming it', async () => {
    const err = await refusal(
      'http://mixed.test/',
      resolver({ 'mixed.test': ['127.0.0.1', '93.184.216.34'] }),
    );
    assert.equal(err.code, 'LOADTEST_REMOTE');
    assert.match(err.message, /93\.184\.216\.34/);
  });

  it('says when a host does not resolve (LOADTEST_CONFIG)', async () => {
    const err = await refusal('http://nowhere.invalid/');
    assert.equal(err.code, 'LOADTEST_CONFIG');
    assert.match(err.message, /does not resolve/);
  });

  it('lets anything through with --allow-remote', async () => {
    await assertLoopbackTarget(new URL('http://10.1.2.3/'), {
      allowRemote: true,
      resolve: resolver({}),
    });
  });

  it('resolves through the system by default: a .invalid name (RFC 6761) never resolves', async () => {
    await assert.rejects(
      assertLoopbackTarget(new URL('http://headroom.invalid/'), { allowRemote: false }),
      (err: unknown) => err instanceof HeadroomError && err.code === 'LOADTEST_CONFIG',
    );
  });
});

describe('parseTargetUrl', () => {
  it('accepts http and https URLs', () => {
    assert.equal(parseTargetUrl('http://127.0.0.1:3000/a?b=1').pathname, '/a');
  });

  it('refuses what is not a URL, or not http(s), naming the option', () => {
    for (const text of ['127.0.0.1:3000', 'ftp://127.0.0.1/', 'nonsense']) {
      assert.throws(
        () => parseTargetUrl(text, '--url'),
        (err: unknown) =>
          err instanceof HeadroomError &&
          err.code === 'LOADTEST_CONFIG' &&
          err.message.includes('--url'),
        text,
      );
    }
  });
});
