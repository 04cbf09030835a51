import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { PRESETS } from '../../src/index.js';
import { withCallbackName } from '../../src/providers/apple.js';

// Response shapes as each provider documents them (trimmed to the fields that matter, values illustrative).
describe('profile mapping of the presets', () => {
  it('Google: id_token claims with a boolean email_verified', () => {
    expect(
      PRESETS.google.profile({
        iss: 'https://accounts.google.com',
        sub: '110169484474386276334',
        email: 'ada@gmail.com',
        email_verified: true,
        name: 'Ada Lovelace',
        picture: 'https://lh3.googleusercontent.com/a/x',
      }),
    ).toEqual({
      providerAccountId: '110169484474386276334',
      email: 'ada@gmail.com',
      emailVerified: true,
      name: 'Ada Lovelace',
      avatarUrl: 'https://lh3.googleusercontent.com/a/x',
    });
    expect(PRESETS.google.profile({ sub: '1', email: 'a@b.c', email_verified: false }).emailVerified).toBe(
      false,
    );
  });

  it('GitHub: numeric id, login as fallback name', () => {
    expect(
      PRESETS.github.profile({
        login: 'octocat',
        id: 583231,
        name: null,
        email: null,
        avatar_url: 'https://a/u/583231',
      }),
    ).toEqual({
      providerAccountId: '583231',
      email: null,
      emailVerified: false,
      name: 'octocat',
      avatarUrl: 'https://a/u/583231',
    });
  });

  it('GitLab: OIDC claims', () => {
    expect(
      PRESETS.gitlab.profile({ sub: '1', email: 'a@gl.test', email_verified: true, nickname: 'ab' }),
    ).toMatchObject({
      email: 'a@gl.test',
      emailVerified: true,
      name: 'ab',
    });
  });

  it('Microsoft: trusts the email only for personal accounts or a verified domain (nOAuth)', () => {
    const base = {
      sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
      name: 'Megan',
      email: 'megan@contoso.com',
    };
    expect(
      PRESETS.microsoft.profile({ ...base, tid: '72f988bf-86f1-41af-91ab-2d7cd011db47' }).emailVerified,
    ).toBe(false);
    expect(
      PRESETS.microsoft.profile({ ...base, tid: '72f988bf-86f1-41af-91ab-2d7cd011db47', xms_edov: true })
        .emailVerified,
    ).toBe(true);
    expect(
      PRESETS.microsoft.profile({ ...base, tid: '9188040d-6c67-4c5b-b112-36a304b66dad' }).emailVerified,
    ).toBe(true);
  });

  it('Apple: email_verified may be the string "true"; no name in the id_token', () => {
    expect(
      PRESETS.apple.profile({
        sub: '001234.abc.0123',
        email: 'x@privaterelay.appleid.com',
        email_verified: 'true',
        is_private_email: 'true',
      }),
    ).toEqual({
      providerAccountId: '001234.abc.0123',
      email: 'x@privaterelay.appleid.com',
      emailVerified: true,
      name: null,
      avatarUrl: null,
    });
  });

  it('Apple: takes the name from the first callback\'s "user" field only when the claims have none', () => {
    const params = new URLSearchParams({
      user: JSON.stringify({ name: { firstName: 'Ada', lastName: 'Lovelace' }, email: 'x' }),
    });
    expect(withCallbackName({ sub: '1' }, params)).toEqual({ sub: '1', name: 'Ada Lovelace' });
    expect(withCallbackName({ sub: '1', name: 'Kept' }, params)).toEqual({ sub: '1', name: 'Kept' });
    expect(withCallbackName({ sub: '1' }, new URLSearchParams({ user: '{not json' }))).toEqual({ sub: '1' });
  });

  it('Discord: verified flag, global_name, avatar hash to CDN URL', () => {
    expect(
      PRESETS.discord.profile({
        id: '80351110224678912',
        username: 'nelly',
        global_name: 'Nelly',
        avatar: '8342729096ea3675442027381ff50dfe',
        verified: true,
        email: 'nelly@discord.com',
      }),
    ).toEqual({
      providerAccountId: '80351110224678912',
      email: 'nelly@discord.com',
      emailVerified: true,
      name: 'Nelly',
      avatarUrl: 'https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png',
    });
    expect(
      PRESETS.discord.profile({ id: '1', username: 'u', verified: false, email: 'u@d.c' }).emailVerified,
    ).toBe(false);
  });

  it('X: the user sits under "data"; no email', () => {
    expect(
      PRESETS.x.profile({
        data: {
          id: '2244994945',
          name: 'X Dev',
          username: 'XDevelopers',
          profile_image_url: 'https://pbs/x.jpg',
        },
      }),
    ).toEqual({
      providerAccountId: '2244994945',
      email: null,
      emailVerified: false,
      name: 'X Dev',
      avatarUrl: 'https://pbs/x.jpg',
    });
  });

  it('Slack, Twitch, LinkedIn, LINE: OIDC claims', () => {
    expect(
      PRESETS.slack.profile({ sub: 'U0R7JM', email: 'k@slack.test', email_verified: true, name: 'K' })
        .emailVerified,
    ).toBe(true);
    expect(
      PRESETS.twitch.profile({
        sub: '713936733',
        preferred_username: 'twitchdev',
        email: 't@t.tv',
        email_verified: true,
      }),
    ).toMatchObject({
      name: 'twitchdev',
      emailVerified: true,
    });
    expect(
      PRESETS.linkedin.profile({ sub: 'Jx', name: 'L', email: 'l@li.test', email_verified: true })
        .emailVerified,
    ).toBe(true);
    expect(
      PRESETS.line.profile({ sub: 'U4af4980629', name: 'Taro', email: 'taro@line.test' }).emailVerified,
    ).toBe(false);
  });

  it('Spotify: display_name, first image; email unverified', () => {
    expect(
      PRESETS.spotify.profile({
        id: 'wizzler',
        display_name: 'JM Wizzler',
        email: 'w@s.test',
        images: [{ url: 'https://i.scdn.co/a', height: 300 }],
      }),
    ).toEqual({
      providerAccountId: 'wizzler',
      email: 'w@s.test',
      emailVerified: false,
      name: 'JM Wizzler',
      avatarUrl: 'https://i.scdn.co/a',
    });
  });

  it('Facebook: picture.data.url; email unverified', () => {
    expect(
      PRESETS.facebook.profile({
        id: '10158',
        name: 'F',
        email: 'f@fb.test',
        picture: { data: { url: 'https://fb/p.jpg' } },
      }),
    ).toEqual({
      providerAccountId: '10158',
      email: 'f@fb.test',
      emailVerified: false,
      name: 'F',
      avatarUrl: 'https://fb/p.jpg',
    });
  });

  it('Kakao: verified only when the email is both valid and verified', () => {
    const raw = (valid: boolean, verified: boolean) => ({
      id: 123456789,
      kakao_account: {
        profile: { nickname: '홍길동', profile_image_url: 'https://k/p.jpg' },
        email: 'hong@kakao.test',
        is_email_valid: valid,
        is_email_verified: verified,
      },
    });
    expect(PRESETS.kakao.profile(raw(true, true))).toEqual({
      providerAccountId: '123456789',
      email: 'hong@kakao.test',
      emailVerified: true,
      name: '홍길동',
      avatarUrl: 'https://k/p.jpg',
    });
    expect(PRESETS.kakao.profile(raw(true, false)).emailVerified).toBe(false);
    expect(PRESETS.kakao.profile(raw(false, true)).emailVerified).toBe(false);
  });

  it('Naver: the user sits under "response"; email unverified', () => {
    expect(
      PRESETS.naver.profile({
        resultcode: '00',
        message: 'success',
        response: {
          id: '32742776',
          nickname: 'OpenAPI',
          name: '오픈 API',
          email: 'openapi@naver.com',
          profile_image: 'https://n/p.png',
        },
      }),
    ).toEqual({
      providerAccountId: '32742776',
      email: 'openapi@naver.com',
      emailVerified: false,
      name: '오픈 API',
      avatarUrl: 'https://n/p.png',
    });
  });
});

describe('Apple client secret', () => {
  it('is an ES256 JWT from the team, for the Services ID, with the key id, valid one hour', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwt = await PRESETS.apple.clientSecret({
      teamId: 'TEAM123456',
      keyId: 'KEY1234567',
      privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      clientId: 'com.example.web',
    });
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'ES256', kid: 'KEY1234567' });
    const { payload } = await jwtVerify(jwt, publicKey, {
      issuer: 'TEAM123456',
      audience: 'https://appleid.apple.com',
    });
    expect(payload.sub).toBe('com.example.web');
    expect((payload.exp as number) - (payload.iat as number)).toBe(3600);
  });
});
