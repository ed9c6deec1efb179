'use strict';
require('../lib/suite').run({
  version: '3.23.6',
  pkg: 'minapp-sdk-3236',
  silentLogin: '/hserve/v2.5/idp/wechat/silent-login/',
  loginFields: ['code', 'create_user', 'login_with_unionid'],
  consent: 'phone-login',
  phoneLogin: '/hserve/v2.7/idp/wechat/phone-login/',
  userRecord: (id) => `/hserve/v2.5/user/info/${id}/`,
  storesProfile: true,
  currentAPI: true,
  storedKeys: ['uid', 'openid', 'unionid', 'auth_token', 'userinfo', 'session_expires_at', 'is_anonymous_user'],
});
