'use strict';
require('../lib/suite').run({
  version: '2.9.0',
  pkg: 'minapp-sdk-290',
  silentLogin: '/hserve/v2.1/idp/wechat/silent-login/',
  loginFields: ['code', 'create_user'],
  consent: 'authenticate',
  authenticate: '/hserve/v2.1/idp/wechat/authenticate/',
  userRecord: (id) => `/hserve/v2.0/user/info/${id}/`,
  storesProfile: false,
  storedKeys: ['uid', 'openid', 'unionid', 'auth_token', 'userinfo', 'session_expires_at', 'is_anonymous_user'],
});
