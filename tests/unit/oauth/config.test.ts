import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { parseMailboxUrl } from '../../../src/config/mailbox-url.js';
import { deviceEndpointFor, parseSmtpUrl } from '../../../src/config/oauth.js';

const OAUTH_ENV = {
  OAUTH_TOKEN_URL: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
  OAUTH_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
  OAUTH_CLIENT_SECRET: 'secret',
  OAUTH_SCOPE: 'https://outlook.office365.com/.default',
};

describe('auth=oauth2', () => {
  it('in IMAP_URL: the login without a password', () => {
    expect(parseMailboxUrl('imaps://helpdesk%40contoso.com@outlook.office365.com/INBOX?auth=oauth2')).toMatchObject({
      user: 'helpdesk@contoso.com',
      password: '',
      auth: 'oauth2',
    });
    expect(parseMailboxUrl('imap://desk:pw@mail/INBOX').auth).toBe('password');
    expect(() => parseMailboxUrl('imap://desk:pw@mail/INBOX?auth=oauth2')).toThrow('takes no password');
    expect(() => parseMailboxUrl('imap://desk@mail/INBOX?auth=kerberos')).toThrow('auth: expected oauth2 or password');
  });

  it('in SMTP_URL: removed from the URL nodemailer reads, with the login', () => {
    expect(parseSmtpUrl('smtp://helpdesk%40contoso.com@smtp.office365.com:587?auth=oauth2')).toEqual({
      url: 'smtp://smtp.office365.com:587',
      auth: 'oauth2',
      user: 'helpdesk@contoso.com',
    });
    expect(parseSmtpUrl('smtp://u:p@127.0.0.1:2525')).toEqual({ url: 'smtp://u:p@127.0.0.1:2525', auth: 'password', user: 'u' });
  });

  it('needs OAUTH_TOKEN_URL and OAUTH_CLIENT_ID, and reads OAUTH_*', () => {
    const imap = 'imaps://helpdesk%40contoso.com@outlook.office365.com/INBOX?auth=oauth2';
    expect(() => loadConfig({ IMAP_URL: imap })).toThrow(ConfigError);
    expect(() => loadConfig({ SMTP_URL: 'smtp://h%40c.com@smtp.office365.com:587?auth=oauth2' })).toThrow('OAUTH_TOKEN_URL');
    expect(() => loadConfig({ IMAP_URL: imap, OAUTH_TOKEN_URL: OAUTH_ENV.OAUTH_TOKEN_URL })).toThrow('OAUTH_CLIENT_ID');
    expect(loadConfig({ IMAP_URL: imap, ...OAUTH_ENV }).oauth).toEqual({
      tokenUrl: OAUTH_ENV.OAUTH_TOKEN_URL,
      clientId: OAUTH_ENV.OAUTH_CLIENT_ID,
      clientSecret: 'secret',
      scope: 'https://outlook.office365.com/.default',
      deviceAuthorizationUrl: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/devicecode',
      privateKeyFile: undefined,
    });
    expect(loadConfig({}).oauth).toBeUndefined();
  });

  it('finds the device endpoint of Microsoft and Google, and no other', () => {
    expect(deviceEndpointFor('https://oauth2.googleapis.com/token')).toBe('https://oauth2.googleapis.com/device/code');
    expect(deviceEndpointFor('https://idp.example/token')).toBeUndefined();
  });
});
