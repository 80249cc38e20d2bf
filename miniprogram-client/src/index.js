'use strict';

// Entry for WeChat devtools' "构建 npm": require('wxpush-miniprogram') looks for index.js in
// the package's miniprogram directory (src/).
module.exports = require('./wxpush');
