// An app that imports only express and express-oauth-router gets req.user, req.oauth and req.session typed,
// the session with the data this package keeps in it.
import express from 'express';
import type { OAuthRequest, OAuthUser } from 'express-oauth-router';

type IsAny<T> = 0 extends 1 & T ? true : false;

const app = express();
app.get('/', (req, res) => {
  const sessionIsAny: IsAny<typeof req.session> = false;
  const signedIn: OAuthUser | undefined = req.session.oauth?.user;
  const user: OAuthUser | undefined = req.user;
  const oauth: OAuthRequest = req.oauth;
  res.json({ sessionIsAny, signedIn, user, links: oauth.constructor.name });
});
