'use strict';
require('../lib/suite').run({
  version: '3.6.0',
  pkg: 'minapp-sdk-360',
  silentLogin: '/hserve/v2.1/idp/wechat/silent-login/',
  loginFields: ['code', 'create_user'],
  consent: 'authenticate',
  authenticate: '/hserve/v2.1/idp/wechat/authenticate/',
  userRecord: (id) => `/hserve/v2.0/user/info/${id}/`,
  storesProfile: true,
  storedKeys: ['uid', 'openid', 'unionid', 'auth_token', 'userinfo', 'session_expires_at', 'is_anonymous_user'],
});
