import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';

let desk: TestDesk;
const coordinator = bearer(COORDINATOR_TOKEN);

interface ArticleBody {
  id: string;
  title: string;
  language: string;
  published: boolean;
}

async function write(article: Record<string, unknown>): Promise<ArticleBody> {
  const res = await request(desk.app).post('/api/articles').set(coordinator).send(article);
  expect(res.status).toBe(201);
  return res.body as ArticleBody;
}

async function search(q: string): Promise<{ items: ArticleBody[]; total: number }> {
  const res = await request(desk.app).get('/api/articles').query({ q }).set(coordinator);
  expect(res.status).toBe(200);
  return res.body as { items: ArticleBody[]; total: number };
}

let frPassword: ArticleBody;
let enPassword: ArticleBody;
let vpn: ArticleBody;
let draft: ArticleBody;

beforeAll(async () => {
  desk = await createTestDesk();
  frPassword = await write({
    title: 'Mot de passe oublié : le réinitialiser soi-même',
    body: 'Ouvrez la page de réinitialisation, saisissez votre identifiant et suivez le lien reçu par courriel.',
    language: 'fr',
    tags: ['compte', 'sécurité'],
    category: 'accounts',
    published: true,
  });
  enPassword = await write({
    title: 'Forgotten password: reset it yourself',
    body: 'Open the reset page, type your login and follow the link you receive by email.',
    language: 'en',
    tags: ['account'],
    category: 'accounts',
    published: true,
  });
  vpn = await write({
    title: 'VPN connection drops every few minutes',
    body: 'Update the VPN client, then switch the profile to TCP.',
    language: 'en',
    tags: ['network', 'remote'],
    published: true,
  });
  draft = await write({ title: 'Imprimante du 3e étage', body: 'Brouillon.', language: 'fr' });
});
afterAll(async () => {
  await desk?.close();
});

describe('articles', () => {
  it('are written, read, changed and deleted; a draft unless published; a category the desk knows', async () => {
    expect(draft.published).toBe(false);
    const read = await request(desk.app).get(`/api/articles/${draft.id}`).set(coordinator);
    expect(read.body).toMatchObject({ title: 'Imprimante du 3e étage', language: 'fr', tags: [], category: null, published: false });
    const patched = await request(desk.app)
      .patch(`/api/articles/${draft.id}`)
      .set(coordinator)
      .send({ tags: ['impression'] });
    expect(patched.body).toMatchObject({ tags: ['impression'], published: false, title: 'Imprimante du 3e étage' });
    const unknown = await request(desk.app)
      .post('/api/articles')
      .set(coordinator)
      .send({ title: 'x', body: 'y', language: 'fr', category: 'nope' });
    expect(unknown.status).toBe(400);
    const wrongLanguage = await request(desk.app).post('/api/articles').set(coordinator).send({ title: 'x', body: 'y', language: 'de' });
    expect(wrongLanguage.status).toBe(400);
    const temp = await write({ title: 'Temporary', body: 'x', language: 'en' });
    expect((await request(desk.app).delete(`/api/articles/${temp.id}`).set(coordinator)).status).toBe(204);
    const gone = await request(desk.app).get(`/api/articles/${temp.id}`).set(coordinator);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('ARTICLE_NOT_FOUND');
  });

  it('a technician reads and searches them, but does not write them', async () => {
    const tech = await request(desk.app)
      .post('/api/technicians')
      .set(coordinator)
      .send({ name: 'Ada', phone: '+33611111111', email: 'ada@desk.example', tier: 1, skills: [], maxLoad: 3 });
    const token = bearer((tech.body as { token: string }).token);
    expect((await request(desk.app).get('/api/articles').query({ q: 'vpn' }).set(token)).status).toBe(200);
    expect((await request(desk.app).post('/api/articles').set(token).send({ title: 'x', body: 'y', language: 'en' })).status).toBe(403);
    expect((await request(desk.app).delete(`/api/articles/${vpn.id}`).set(token)).status).toBe(403);
  });
});

describe('search', () => {
  it('a French query without accents finds the accented French article first', async () => {
    const found = await search('mot de passe oublie');
    expect(found.items[0]?.id).toBe(frPassword.id);
    expect(found.items.map((a) => a.id)).not.toContain(vpn.id);
  });

  it('word forms are ignored in French too (réinitialiser / réinitialisation)', async () => {
    const found = await search('reinitialisation');
    expect(found.items[0]?.id).toBe(frPassword.id);
  });

  it('an English query finds the English article first', async () => {
    const found = await search('forgot password reset');
    expect(found.items[0]?.id).toBe(enPassword.id);
    const vpnFound = await search('vpn connections dropping');
    expect(vpnFound.items[0]?.id).toBe(vpn.id);
  });

  it('a typo in a title still finds it', async () => {
    expect((await search('pasword')).items[0]?.id).toBe(enPassword.id);
    expect((await search('vpn conection')).items.map((a) => a.id)).toContain(vpn.id);
  });

  it('a typo is corrected against the titles as they are now, after a rename too', async () => {
    const renamed = await write({ title: 'Kerberos ticket expired', body: 'Lock and unlock the session.', language: 'en' });
    expect((await search('kerberso')).items[0]?.id).toBe(renamed.id);
    await request(desk.app).patch(`/api/articles/${renamed.id}`).set(coordinator).send({ title: 'Kerberoast alert' });
    // Its old title's word is in no title any more: corrected like any typo, to the new one.
    expect((await search('kerberos')).items.map((a) => a.id)).toEqual([renamed.id]);
    expect((await request(desk.app).delete(`/api/articles/${renamed.id}`).set(coordinator)).status).toBe(204);
    expect((await search('kerberoast')).total).toBe(0);
  });

  it('when no article holds every word, those that hold all but one come after', async () => {
    const found = await search('vpn connection drops laptop');
    expect(found.items.map((a) => a.id)).toEqual([vpn.id]);
  });

  it('finds drafts too, and counts the matches', async () => {
    const found = await search('imprimante');
    expect(found.items.map((a) => a.id)).toEqual([draft.id]);
    expect(found.total).toBe(1);
    expect((await search('zzzz qqqq')).total).toBe(0);
  });
});
